#!/usr/bin/env bash
# Custodian's foundation benchmark: builds release binaries, seeds (or reuses) a council of 200
# people and 1,000,000 audit entries on SQLite, then measures start-up time, idle memory, page
# latency and throughput under 32 connections, and `custodian audit verify`, and prints a table
# of target against measured.
#
# A benchmark, not a test: a missed target prints MISS and the script still exits 0. It exits
# non-zero only when something could not be measured at all (build, seed, server or tool failure,
# or a page that does not answer 200).
#
# Settings (environment): BENCH_PEOPLE (200), BENCH_ENTRIES (1000000), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_PROBE (1: also print the per-part breakdown
# from custodian-bench-probe; 0 to skip). The summary is also written to bench/out/latest.txt.
set -uo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${BENCH_PEOPLE:-200}
ENTRIES=${BENCH_ENTRIES:-1000000}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
OUT=bench/out
DATA="$OUT/data-p${PEOPLE}-e${ENTRIES}"
BIN=target/release
CUSTODIAN="$BIN/custodian"
SEED="$BIN/custodian-bench-seed"
STARTUP="$BIN/custodian-bench-startup"
mkdir -p "$OUT"
REPORT="$OUT/latest.txt"
: >"$REPORT"

say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
step() { printf '\n==== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
fail() {
  echo "bench: $*" >&2
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
  exit 1
}

step "Build (release)"
cargo build --release -q -p custodian -p custodian-bench || fail "the release build failed"

step "Tools"
if ! command -v wrk >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } \
    || fail "wrk is missing and could not be installed (apt-get install wrk)"
fi
command -v curl >/dev/null 2>&1 || fail "curl is missing"
echo "wrk: $(wrk --version 2>&1 | head -1)"

step "Seed: $PEOPLE people, $ENTRIES audit entries"
# The seed is reused while the seeding tool's source and the sizes are unchanged.
MARKER="people=$PEOPLE entries=$ENTRIES seed=$(cat bench/seed/src/main.rs bench/seed/src/generate.rs | sha256sum | cut -c1-16)"
if [ -f "$DATA/custodian.db" ] && [ "$(cat "$DATA/marker" 2>/dev/null)" = "$MARKER" ]; then
  echo "reusing $DATA"
  SEED_OUT=$("$SEED" --data-dir "$DATA" --new-session) || fail "could not sign in to the cached seed"
  SEED_OUT="$(cat "$DATA/ids")"$'\n'"$SEED_OUT"
else
  rm -rf "$DATA"
  started=$(date +%s%N)
  SEED_OUT=$("$SEED" --data-dir "$DATA" --people "$PEOPLE" --entries "$ENTRIES") || fail "seeding failed"
  echo "seeded in $(( ($(date +%s%N) - started) / 1000000 )) ms"
  grep -v '^session=' <<<"$SEED_OUT" >"$DATA/ids"
  echo "$MARKER" >"$DATA/marker"
fi
value() { grep "^$1=" <<<"$SEED_OUT" | tail -1 | cut -d= -f2-; }
TOKEN=$(value session)
PERSON=$(value person)
[ -n "$TOKEN" ] && [ -n "$PERSON" ] || fail "the seed printed no session or person"
BEFORE=$((ENTRIES / 2))
COOKIE="Cookie: custodian_session=$TOKEN"

step "Start-up: spawn to first 200 from /healthz (5 starts)"
STARTS=$("$STARTUP" --custodian "$CUSTODIAN" --data-dir "$DATA" --runs 5) || fail "start-up could not be measured"
echo "$STARTS"
START_MEDIAN=$(grep '^median_ms=' <<<"$STARTS" | cut -d= -f2)
START_MAX=$(grep '^max_ms=' <<<"$STARTS" | cut -d= -f2)

step "Server"
PORT=$("$STARTUP" --free-port) || fail "no free port"
URL="http://127.0.0.1:$PORT"
"$CUSTODIAN" serve --data-dir "$DATA" --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER_PID=$!
trap '[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null' EXIT
for _ in $(seq 1 200); do
  curl -sf -o /dev/null "$URL/healthz" && break
  sleep 0.05
done
curl -sf -o /dev/null "$URL/healthz" || fail "the server did not start (see $OUT/serve.log)"

PAGES=(
  "/healthz"
  "/"
  "/audit?what=person.&before=$BEFORE"
  "/audit?who=$PERSON"
  "/audit?what=person.&before="
  "/audit?who=$PERSON&before="
)
LABELS=(
  "GET /healthz"
  "GET / (home)"
  "GET /audit?what=person.&before=$BEFORE"
  "GET /audit?who=<person>"
  "GET /audit?what=person.&before=<random>"
  "GET /audit?who=<person>&before=<random>"
)
# Pages ending in "before=" get a different sequence number on every request
# (bench/vary-before.lua), so they are never answered from Custodian's cache of recently shown
# audit pages: the cost of a page nobody has just looked at. The others repeat one URL.
varies() { [[ "$1" == *"before=" ]]; }
# Every page must really render for the signed-in Clerk: a redirect to sign-in would be fast
# and meaningless.
for page in "${PAGES[@]}"; do
  varies "$page" && page="${page}$BEFORE"
  code=$(curl -s -o "$OUT/page.html" -w '%{http_code}' -H "$COOKIE" "$URL$page")
  [ "$code" = 200 ] || fail "$page answered $code, not 200"
done
grep -q 'Benchmark Town Council' "$OUT/page.html" || fail "the audit page did not show the seeded council"

step "Idle memory"
for _ in 1 2 3; do
  for page in "${PAGES[@]:0:4}"; do curl -s -o /dev/null -H "$COOKIE" "$URL$page"; done
done
sleep 2
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
RSS_IDLE=$(rss_mb)
[ -n "$RSS_IDLE" ] || fail "could not read the server's memory"
echo "idle RSS after start-up and 12 requests: $RSS_IDLE MB"

step "Load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
# wrk prints latencies as 812.00us, 2.03ms or 1.20s; convert to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
    printf "%.2f", n }'
}
declare -a RPS P50 P99
for i in "${!PAGES[@]}"; do
  page=${PAGES[$i]}
  script=()
  if varies "$page"; then script=(-s bench/vary-before.lua); fi
  export BENCH_PATH="$page" BENCH_MAX_SEQ="$ENTRIES"
  # A short warm-up, so the first run does not pay for cold caches.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "${script[@]}" -H "$COOKIE" "$URL$page" >/dev/null 2>&1
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${script[@]}" -H "$COOKIE" "$URL$page" 2>&1) \
    || fail "wrk failed on $page"
  echo "--- ${LABELS[$i]}"
  grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|99)%' <<<"$result"
  if grep -q 'Non-2xx' <<<"$result"; then fail "$page gave non-2xx answers under load"; fi
  RPS[$i]=$(awk '/Requests\/sec/ { print $2 }' <<<"$result")
  P50[$i]=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$result")")
  P99[$i]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$result")")
  [ -n "${RPS[$i]}" ] || fail "wrk printed no throughput for $page"
done
sleep 2
RSS_AFTER=$(rss_mb)
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=

step "custodian audit verify (3 runs)"
declare -a VERIFY
for run in 1 2 3; do
  started=$(date +%s%N)
  "$CUSTODIAN" audit verify --data-dir "$DATA" >"$OUT/verify.txt" 2>&1 || fail "audit verify did not pass (see $OUT/verify.txt)"
  VERIFY+=("$(( ($(date +%s%N) - started) / 1000000 ))")
  tail -1 "$OUT/verify.txt"
done
VERIFY_MS=$(printf '%s\n' "${VERIFY[@]}" | sort -n | sed -n 2p)
VERIFY_S=$(awk -v ms="$VERIFY_MS" 'BEGIN { printf "%.2f", ms / 1000 }')

if [ "${BENCH_PROBE:-1}" = 1 ]; then
  step "Breakdown (custodian-bench-probe): where verify and the pages spend their time"
  "$BIN/custodian-bench-probe" --data-dir "$DATA" || fail "the probe failed"
  "$BIN/custodian-bench-probe" --data-dir "$DATA" pages || fail "the probe failed"
fi

# ---- Summary ----
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "MISS") }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }
HEALTH_RPS=${RPS[0]}
MACHINE="$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"

say ""
say "Custodian foundation benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
say "Machine: $MACHINE; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
say "Data: SQLite, $PEOPLE people, $(grep -o 'Checked [0-9]* audit entries' "$OUT/verify.txt" | cut -d' ' -f2) audit entries; wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine"
say ""
say "$(printf '%-46s %12s %10s %10s %12s' 'page' 'requests/s' 'p50 ms' 'p99 ms' '% of healthz')"
for i in "${!PAGES[@]}"; do
  say "$(printf '%-46s %12s %10s %10s %12s' "${LABELS[$i]}" "${RPS[$i]}" "${P50[$i]}" "${P99[$i]}" "$(pct "${RPS[$i]}" "$HEALTH_RPS")")"
done
say ""
say "$(printf '%-64s %-10s %-12s %s' 'target' 'limit' 'measured' 'result')"
row() { say "$(printf '%-64s %-10s %-12s %s' "$1" "$2" "$3" "$4")"; }
for i in 1 2 3 4 5; do
  row "${LABELS[$i]}: p99, $CONNECTIONS connections" "<= 20 ms" "${P99[$i]} ms" "$(verdict "$(le "${P99[$i]}" 20)")"
  share=$(pct "${RPS[$i]}" "$HEALTH_RPS")
  row "${LABELS[$i]}: throughput vs /healthz" ">= 25 %" "$share %" "$(verdict "$(le 25 "$share")")"
done
row "audit verify, $ENTRIES entries (median of 3)" "<= 1 s" "$VERIFY_S s" "$(verdict "$(le "$VERIFY_S" 1)")"
row "idle server RSS" "<= 30 MB" "$RSS_IDLE MB" "$(verdict "$(le "$RSS_IDLE" 30)")"
row "start to first answered request (median of 5)" "<= 200 ms" "$START_MEDIAN ms" "$(verdict "$(le "$START_MEDIAN" 200)")"
row "start to first answered request (max of 5)" "<= 200 ms" "$START_MAX ms" "$(verdict "$(le "$START_MAX" 200)")"
say ""
say "For information: server RSS after the load runs, idle 2 s: $RSS_AFTER MB"
exit 0
