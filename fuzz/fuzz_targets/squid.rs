//! Fuzz target: the reader of Squid's native access.log, through `Summarizer`,
//! fed whole, in two pieces and byte by byte (`custodian_monitor_fuzz::check`).
#![no_main]

use custodian_monitor::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let format: Format = "squid".parse().expect("squid is a format's name");
    custodian_monitor_fuzz::check(&format, input);
});
