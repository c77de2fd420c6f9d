//! Code shared by the benchmark binaries of `custodian-bench` (not part of Custodian).

pub mod council_seed;
pub mod monitor_logs;
