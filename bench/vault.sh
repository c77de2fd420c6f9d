#!/usr/bin/env bash
# Vault benchmark (issue 5): key rotation of 1,000 items (target <= 2 s), then reveals through
# the running server, each with its durable audit write (synchronous=FULL), at 16 concurrent
# connections for BENCH_DURATION (target p99 <= 15 ms). Release build, SQLite. Prints figures;
# never fails on a miss, only when something does not work.
# Settings: BENCH_ITEMS (1000), BENCH_DURATION (10s), BENCH_CONNECTIONS (16).
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${BENCH_ITEMS:-1000}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
OUT=bench/out
DATA="$OUT/vault-data"
mkdir -p "$OUT"
fail() { echo "bench/vault.sh: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk"
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } \
    || fail "wrk is missing and could not be installed (apt-get install wrk)"
fi

step "Build (release)"
cargo build --release -q -p custodian -p custodian-bench \
  --bin custodian --bin custodian-bench-seed --bin custodian-bench-vault --bin custodian-bench-startup
CUSTODIAN="$TARGET_DIR/release/custodian"

step "Seed: a council, then $ITEMS vault items; key rotation"
rm -rf "$DATA"
SEED_OUT=$("$TARGET_DIR/release/custodian-bench-seed" --data-dir "$DATA" --people 20 --entries 2000) \
  || fail "seeding failed"
TOKEN=$(grep '^session=' <<<"$SEED_OUT" | tail -1 | cut -d= -f2-)
[ -n "$TOKEN" ] || fail "the seed printed no session"
VAULT_OUT=$("$TARGET_DIR/release/custodian-bench-vault" --data-dir "$DATA" --items "$ITEMS") \
  || fail "the vault benchmark failed"
grep -v '^item=' <<<"$VAULT_OUT"
ITEM=$(grep '^item=' <<<"$VAULT_OUT" | cut -d= -f2-)
[ -n "$ITEM" ] || fail "no item to reveal"

step "Server"
PORT=$("$TARGET_DIR/release/custodian-bench-startup" --free-port) || fail "no free port"
URL="http://127.0.0.1:$PORT"
"$CUSTODIAN" serve --data-dir "$DATA" --bind "127.0.0.1:$PORT" >"$OUT/vault-serve.log" 2>&1 &
SERVER_PID=$!
trap '[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null' EXIT
for _ in $(seq 1 200); do
  curl -sf -o /dev/null "$URL/healthz" && break
  sleep 0.05
done
curl -sf -o /dev/null "$URL/healthz" || fail "the server did not start (see $OUT/vault-serve.log)"
COOKIE="Cookie: custodian_session=$TOKEN"
PAGE=$(curl -s -H "$COOKIE" "$URL/vault/$ITEM")
CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$PAGE" | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || fail "the item page had no form (is the Clerk signed in? see $OUT/vault-serve.log)"

# One reveal by hand first: it must really show the password, not a refusal or an error.
BODY="field=password&reason=Benchmark+reveal"
code=$(curl -s -o "$OUT/vault-reveal.html" -w '%{http_code}' -H "$COOKIE" -H "x-csrf-token: $CSRF" \
  -H 'Content-Type: application/x-www-form-urlencoded' --data "$BODY" "$URL/vault/$ITEM/reveal")
[ "$code" = 200 ] || fail "a reveal answered $code, not 200 (see $OUT/vault-reveal.html)"
grep -q 'lantern-quince-orbit-' "$OUT/vault-reveal.html" || fail "the reveal page did not show the password"

cat >"$OUT/vault-reveal.lua" <<LUA
wrk.method = "POST"
wrk.body = "$BODY"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["x-csrf-token"] = "$CSRF"
LUA

step "Reveal: wrk -t2 -c$CONNECTIONS -d$DURATION (each reveal appends a durable audit entry)"
before=$(sqlite3 "$DATA/custodian.db" "SELECT count(*) FROM audit_log WHERE action = 'vault.revealed'" 2>/dev/null || echo "?")
result=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$OUT/vault-reveal.lua" -H "$COOKIE" \
  "$URL/vault/$ITEM/reveal" 2>&1) || fail "wrk failed"
echo "$result"
grep -q "Non-2xx" <<<"$result" && fail "some reveals did not answer 200"
ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); printf "%.2f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); printf "%.2f", v } else { sub(/s$/,"",v); printf "%.2f", v*1000 } }'; }
P50=$(grep -E '^ +50%' <<<"$result" | awk '{print $2}' | ms)
P99=$(grep -E '^ +99%' <<<"$result" | awk '{print $2}' | ms)
RPS=$(grep 'Requests/sec' <<<"$result" | awk '{print $2}')
after=$(sqlite3 "$DATA/custodian.db" "SELECT count(*) FROM audit_log WHERE action = 'vault.revealed'" 2>/dev/null || echo "?")
echo
echo "reveal at $CONNECTIONS concurrent: p50 ${P50} ms, p99 ${P99} ms, ${RPS} req/s (target p99 <= 15 ms): $(awk -v p="$P99" 'BEGIN { print (p <= 15) ? "met" : "MISSED" }')"
echo "audit entries vault.revealed: before $before, after $after"
