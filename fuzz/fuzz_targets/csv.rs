//! Fuzz target: the reader of DNS filtering services' CSV exports, through `Summarizer`, fed
//! whole, in two pieces and byte by byte (`custodian_monitor_fuzz::check`). The input's first
//! byte picks one of three column mappings: by heading (the seed corpus's header row), by
//! number without a header row, and by number with Unix times.
#![no_main]

use custodian_monitor::{CsvMapping, Format};
use libfuzzer_sys::fuzz_target;

const MAPPINGS: [&str; 3] = [
    "time=Timestamp,client=Client IP,site=Domain",
    "time=1,client=2,site=3,user=4,bytes=5,header=no",
    "time=2,site=1,client=3,time_format=unix,header=yes",
];

fuzz_target!(|input: &[u8]| {
    let Some((&choice, rest)) = input.split_first() else {
        return;
    };
    let mapping: CsvMapping = MAPPINGS[usize::from(choice) % MAPPINGS.len()]
        .parse()
        .expect("the mappings are valid");
    custodian_monitor_fuzz::check(&Format::csv(mapping), rest);
});
