#!/usr/bin/env bash
# Equipment register benchmark: a 10,000-row CSV import into fresh SQLite databases (median of
# 5 runs, target <= 2 s) and 2,000 register list queries of varied shapes on page 3 (p50 and p99,
# target p99 <= 20 ms). Prints figures; never fails on a miss.
# Settings: BENCH_ASSETS (10000), BENCH_IMPORT_RUNS (5), BENCH_QUERIES (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
cargo build --release -q -p custodian-bench --bin custodian-bench-assets
"${CARGO_TARGET_DIR:-target}/release/custodian-bench-assets" | tee bench/out/assets.txt
