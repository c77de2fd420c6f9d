#!/usr/bin/env bash
# Policy benchmark: import and lint of real council policies and a 40 KB one, and rendering the
# policy as a Word document, each timed over 200 rounds (median and p99), against the targets
# (import and lint of 40 KB <= 20 ms; DOCX <= 100 ms). Prints figures; never fails on a miss.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p custodian-bench --bin custodian-bench-policy
./target/release/custodian-bench-policy | tee bench/out/policy.txt
