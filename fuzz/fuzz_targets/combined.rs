//! Fuzz target: the reader of common and combined logs (Squid, Apache, nginx), through
//! `Summarizer`, fed whole, in two pieces and byte by byte (`custodian_monitor_fuzz::check`).
#![no_main]

use custodian_monitor::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let format: Format = "combined".parse().expect("combined is a format's name");
    custodian_monitor_fuzz::check(&format, input);
});
