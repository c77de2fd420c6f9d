#!/usr/bin/env bash
# Daily-digest benchmark (issue 6): 1,000 small councils hosted together on PostgreSQL (12
# people, 30 register items, 10 vault items, a policy in force, email on), then one run of the
# daily digest over all of them (target <= 60 s), per-council times and a repeat run that must
# queue nothing. Release build. Drops and recreates its own database on every run. Prints
# figures; never fails on a miss, only when something does not work. Settings: BENCH_COUNCILS
# (1000), BENCH_AT_ONCE (4: councils seeded concurrently), CUSTODIAN_BENCH_POSTGRES_URL
# (postgres://custodian:custodian@127.0.0.1:5432/custodian_bench; its name must contain "bench").
set -euo pipefail
cd "$(dirname "$0")/.."
COUNCILS=${BENCH_COUNCILS:-1000}
AT_ONCE=${BENCH_AT_ONCE:-4}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p custodian-bench --bin custodian-bench-digest
if command -v pg_lsclusters >/dev/null && ! pg_lsclusters -h 15 main 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main start
fi
"$TARGET_DIR/release/custodian-bench-digest" --councils "$COUNCILS" --at-once "$AT_ONCE"
