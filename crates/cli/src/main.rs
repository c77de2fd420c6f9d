//! The `custodian` binary. Thin on purpose: everything lives in the library so tests can reach it.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    custodian::run()
}
