#!/usr/bin/env bash
# Reminder-schedule benchmark (issue 6): the whole schedule of a council with 200 people, 2,000
# register items and 500 vault items (plus devices, breaches and a policy in force), reads and
# computation, on SQLite (target <= 20 ms). Release build. Prints figures; never fails on a
# miss, only when something does not work. Settings: BENCH_ROUNDS (200).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-200}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p custodian-bench --bin custodian-bench-reminders
"$TARGET_DIR/release/custodian-bench-reminders" --rounds "$ROUNDS"
