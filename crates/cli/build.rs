//! Links the `custodian` program with packed relative relocations (DT_RELR) where the C library
//! can load them.
//!
//! A position-independent Rust program carries about a hundred thousand relative relocations,
//! 24 bytes each, which the loader reads at every start (about 1.2 MB of memory). Packed, they
//! take some 15 KB, so every command starts smaller, and the program keeps its address-space
//! randomisation. Only glibc 2.36 and later load a packed program (they define the version
//! `GLIBC_ABI_DT_RELR`, which the linker makes the program require), so the option is given only
//! when the build machine's glibc has it and the program is built for this machine; anywhere
//! else the program is linked as usual.

use std::path::Path;

/// Where Debian, Ubuntu, Fedora and Arch keep the C library.
const LIBC_PATHS: [&str; 4] = [
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/aarch64-linux-gnu/libc.so.6",
    "/lib64/libc.so.6",
    "/usr/lib/libc.so.6",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    if target == host && target.ends_with("-linux-gnu") && libc_loads_packed_relocations() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

fn libc_loads_packed_relocations() -> bool {
    LIBC_PATHS
        .iter()
        .map(Path::new)
        .find(|path| path.exists())
        .and_then(|path| std::fs::read(path).ok())
        .is_some_and(|bytes| {
            bytes
                .windows(b"GLIBC_ABI_DT_RELR".len())
                .any(|window| window == b"GLIBC_ABI_DT_RELR")
        })
}
