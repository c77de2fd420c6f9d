#!/usr/bin/env bash
# Internet-use monitoring benchmark (issue 7): generates a week of synthetic logs (Squid native,
# combined, dnsmasq; 2,000,000 lines each, 400 clients, deterministic) with
# custodian-bench-monitor-logs, then runs GoAccess and `custodian monitor summarize` on the same
# files in the same run, interleaved, and prints wall time (best of BENCH_RUNS), peak RSS, the
# speed and memory ratios against the targets, and a check of the totals.
#
# Exits non-zero when the totals disagree (our hits or bytes against GoAccess's valid_requests
# and bandwidth, or either against the generator's own count), or when something could not be
# run at all. A missed speed or memory target prints MISS and the script still exits 0.
#
# Then retention and subject access on SQLite, with the store's `monitor_timing` example (there
# is no command for them yet): BENCH_RETENTION_WEEKS weeks (26: six months) of a synthetic
# 2,000,000-line week (400 clients, about 72,000 records a day) are stored, then three people's
# subject access over all of them is read and three single days are purged, one after another.
# The purge is timed as the purge call (the tables dropped and committed); SQLite returns the
# freed space afterwards, which is printed separately. 0 weeks skips this part.
#
# Settings (environment): BENCH_LINES (2000000), BENCH_CLIENTS (400), BENCH_DAYS (7),
# BENCH_SEED (1), BENCH_RUNS (3), BENCH_FORMATS ("squid combined dnsmasq"), BENCH_TMP (where the
# temporary folder for the logs goes; about 0.8 GB at the default size, and about 4 GB more for
# six months of records), BENCH_RETENTION_WEEKS (26). The summary is also written to
# bench/out/monitor.txt.
set -uo pipefail
cd "$(dirname "$0")/.."

LINES=${BENCH_LINES:-2000000}
CLIENTS=${BENCH_CLIENTS:-400}
DAYS=${BENCH_DAYS:-7}
SEED=${BENCH_SEED:-1}
# The week starts eight days ago, so every day is inside the council's retention period (ingest
# keeps nothing older). Fixed with BENCH_START for byte-identical files across days.
START=${BENCH_START:-$(date -u -d '8 days ago' +%F)}
# PostgreSQL for the durable pipeline: an address of a server where the `custodian` role may
# create databases; empty skips it.
PG_URL=${BENCH_POSTGRES_URL:-postgres://custodian:custodian@127.0.0.1:5432}
RUNS=${BENCH_RUNS:-3}
RETENTION_WEEKS=${BENCH_RETENTION_WEEKS:-26}
FORMATS=${BENCH_FORMATS:-squid combined dnsmasq}
BIN=${CARGO_TARGET_DIR:-target}/release
CUSTODIAN="$BIN/custodian"
GENERATE="$BIN/custodian-bench-monitor-logs"
COUNCIL="$BIN/custodian-bench-monitor-council"
TIMING="$BIN/examples/monitor_timing"
OUT=bench/out
mkdir -p "$OUT"
REPORT="$OUT/monitor.txt"
: >"$REPORT"
WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/custodian-monitor-bench.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT

say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
step() { printf '\n==== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
fail() {
  echo "bench/monitor.sh: $*" >&2
  exit 1
}

# The first number after "key": in a JSON file (GoAccess's `general` block comes first; our
# figures are one flat object).
json_number() { grep -o "\"$2\": *[0-9]*" "$1" | head -1 | grep -o '[0-9]*$'; }

step "Build (release)"
cargo build --release -q -p custodian -p custodian-bench --bin custodian --bin custodian-bench-monitor-logs \
  --bin custodian-bench-monitor-council \
  || fail "the release build failed"
cargo build --release -q -p custodian-store --example monitor_timing || fail "the release build failed"

step "Tools"
missing=()
command -v goaccess >/dev/null 2>&1 || missing+=(goaccess)
[ -x /usr/bin/time ] || missing+=(time)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || fail "could not install ${missing[*]} (apt-get install ${missing[*]})"
fi
goaccess --version 2>&1 | grep -m1 GoAccess
"$CUSTODIAN" monitor summarize --help >/dev/null 2>&1 \
  || fail "this build of custodian has no 'monitor summarize' command"

# GoAccess's options for each format. Single thread (no --jobs), JSON output, no config file
# from /etc, and no format test on the first lines (--num-tests=0): every line is parsed.
#  - squid: GoAccess's predefined SQUID format expects a syslog prefix, so plain access.log
#    (`time.ms elapsed client code/status bytes method URL user hierarchy type`) needs its own.
#  - combined: the predefined COMBINED (CONNECT and absolute URLs are valid requests to it).
#  - dnsmasq: the query lines (`Nov  2 09:00:01 dnsmasq[812]: query[A] host from 192.168.1.5`)
#    have a second `]` after the process id; `forwarded`, `reply`, `cached` and `config` lines
#    have none, so `%^]` fails on them and they are invalid, as they are not hits. GoAccess
#    skips a format's literal characters without checking them, so a format spelling out
#    "query[" would still accept `cached host is 192.168.1.6` (tried: it did).
goaccess_options() {
  case "$1" in
    squid) echo "--log-format=%x.%^ %~%L %h %^/%s %b %m %U %e %^|--datetime-format=%s" ;;
    combined) echo "--log-format=COMBINED" ;;
    dnsmasq) echo "--log-format=%d %t %^]: %^] %U %^ %h|--date-format=%b %e|--time-format=%H:%M:%S" ;;
  esac
}

# Runs a command under /usr/bin/time; prints "seconds peak-KiB". The wall time is taken around
# it in nanoseconds, as /usr/bin/time's %e has only hundredths of a second.
timed() {
  local times="$WORK/time.txt" started finished
  started=$(date +%s%N)
  /usr/bin/time -f '%e %M' -o "$times" "$@" </dev/null >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || {
    echo "failed: $*" >&2
    tail -5 "$WORK/stderr.txt" >&2
    return 1
  }
  finished=$(date +%s%N)
  awk -v ns=$((finished - started)) -v kib="$(tail -1 "$times" | cut -d' ' -f2)" \
    'BEGIN { printf "%.3f %d\n", ns / 1e9, kib }'
}

# Keeps the best time and the largest peak RSS over the runs.
best_of() {
  awk '{ if (NR == 1 || $1 < best) best = $1; if ($2 > rss) rss = $2 } END { print best, rss }'
}

# ---- The durable pipeline (attribution, categories, batch hashing, committed) ----
# Target: at least 4x faster than GoAccess on the same file. `custodian monitor ingest --format F
# FILE --data-dir D` prints the same JSON as summarize. THE LEAD FILLS THIS IN when the store's
# ingest lands: SQLite below follows the issue's contract and runs as soon as the command
# exists; PostgreSQL needs whatever option ingest takes for a database URL. Until then it
# reports that it did not run. Arguments: format, file, GoAccess's best seconds, GoAccess's
# valid_requests and bandwidth. Appends rows `format|store|seconds|peak KiB|GoAccess seconds|note` to
# $WORK/durable.txt for the summary.
time_durable_pipeline() {
  local format=$1 file=$2 goaccess_seconds=$3 goaccess_hits=$4 goaccess_bytes=$5
  # A council with monitoring switched on (the demo's), made once and copied for each run.
  if [ ! -d "$WORK/council" ]; then
    "$COUNCIL" "$WORK/council" >/dev/null || fail "could not make the benchmark council"
  fi
  local results=() data run result
  for run in $(seq 1 "$RUNS"); do
    data="$WORK/data-$format-$run"
    rm -rf "$data"
    cp -r "$WORK/council" "$data"
    result=$(timed "$CUSTODIAN" monitor ingest --format "$format" "$file" --data-dir "$data" --json) \
      || fail "custodian monitor ingest failed on $format: $(cat "$WORK/stderr.txt" 2>/dev/null)"
    results+=("$result")
    cp "$WORK/stdout.txt" "$WORK/ingest-$format.json"
    rm -rf "$data"
  done
  local best rss
  read -r best rss <<<"$(printf '%s\n' "${results[@]}" | best_of)"
  check_ingest_totals "$format" SQLite "$goaccess_hits" "$goaccess_bytes"
  echo "$format|SQLite|$best|$rss|$goaccess_seconds|$NOTE" >>"$WORK/durable.txt"

  # PostgreSQL: one run into a fresh database (the server's time is in the wall time).
  [ -n "$PG_URL" ] || return 0
  local db="custodian_bench_monitor"
  if ! psql "$PG_URL/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1; then
    echo "$format|PostgreSQL|||$goaccess_seconds|no PostgreSQL at $PG_URL" >>"$WORK/durable.txt"
    return 0
  fi
  "$COUNCIL" "$PG_URL/$db" >/dev/null || fail "could not make the benchmark council on PostgreSQL"
  result=$(timed "$CUSTODIAN" monitor ingest --format "$format" "$file" --database-url "$PG_URL/$db" --json) \
    || fail "custodian monitor ingest failed on $format (PostgreSQL): $(cat "$WORK/stderr.txt" 2>/dev/null)"
  cp "$WORK/stdout.txt" "$WORK/ingest-$format.json"
  check_ingest_totals "$format" PostgreSQL "$goaccess_hits" "$goaccess_bytes"
  local pg_best pg_rss
  read -r pg_best pg_rss <<<"$result"
  echo "$format|PostgreSQL|$pg_best|$pg_rss|$goaccess_seconds|$NOTE" >>"$WORK/durable.txt"
  psql "$PG_URL/postgres" -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
}

# Sets NOTE; a difference from GoAccess's totals marks the run wrong.
check_ingest_totals() {
  local format=$1 store=$2 goaccess_hits=$3 goaccess_bytes=$4 hits bytes
  NOTE=""
  hits=$(json_number "$WORK/ingest-$format.json" hits)
  bytes=$(json_number "$WORK/ingest-$format.json" bytes)
  if [ "$hits" != "$goaccess_hits" ] || [ "$bytes" != "$goaccess_bytes" ]; then
    say "WRONG TOTAL ($format, ingest on $store): Custodian ${hits:-none} hits, ${bytes:-none} bytes; GoAccess $goaccess_hits, $goaccess_bytes"
    WRONG=1
    NOTE="totals differ"
  fi
}

step "Generate: $LINES lines a format, $CLIENTS clients, $DAYS days, seed $SEED"
declare -A GEN_HITS GEN_BYTES GEN_LINES GEN_GROUPS
for format in $FORMATS; do
  file="$WORK/$format.log"
  "$GENERATE" --format "$format" --lines "$LINES" --clients "$CLIENTS" --days "$DAYS" --seed "$SEED" \
    --start "$START" --out "$file" 2>"$WORK/generated-$format.json" || fail "the generator failed on $format"
  GEN_LINES[$format]=$(json_number "$WORK/generated-$format.json" lines)
  GEN_HITS[$format]=$(json_number "$WORK/generated-$format.json" hits)
  GEN_BYTES[$format]=$(json_number "$WORK/generated-$format.json" bytes)
  GEN_GROUPS[$format]=$(json_number "$WORK/generated-$format.json" groups)
  echo "$format: $(du -h "$file" | cut -f1), $(cat "$WORK/generated-$format.json")"
done

declare -A TOTALS GA_TIME GA_RSS OUR_TIME OUR_RSS GA_HITS GA_BYTES OUR_HITS OUR_BYTES OUR_LINES OUR_GROUPS OUR_MALFORMED
: >"$WORK/durable.txt"
WRONG=0
for format in $FORMATS; do
  step "$format: GoAccess and custodian monitor summarize, $RUNS runs each, interleaved"
  file="$WORK/$format.log"
  IFS='|' read -r -a options <<<"$(goaccess_options "$format")"
  ga_runs=()
  our_runs=()
  for run in $(seq 1 "$RUNS"); do
    result=$(timed goaccess "$file" --no-global-config --num-tests=0 "${options[@]}" -o "$WORK/goaccess-$format.json") \
      || fail "GoAccess failed on $format"
    ga_runs+=("$result")
    result=$(timed "$CUSTODIAN" monitor summarize --format "$format" "$file" --json) \
      || fail "custodian monitor summarize failed on $format"
    our_runs+=("$result")
    cp "$WORK/stdout.txt" "$WORK/custodian-$format.json"
    echo "run $run: GoAccess ${ga_runs[-1]% *} s, $(( ${ga_runs[-1]#* } / 1024 )) MiB; Custodian ${our_runs[-1]% *} s, $(( ${our_runs[-1]#* } / 1024 )) MiB"
  done
  read -r GA_TIME[$format] GA_RSS[$format] <<<"$(printf '%s\n' "${ga_runs[@]}" | best_of)"
  read -r OUR_TIME[$format] OUR_RSS[$format] <<<"$(printf '%s\n' "${our_runs[@]}" | best_of)"
  GA_HITS[$format]=$(json_number "$WORK/goaccess-$format.json" valid_requests)
  GA_BYTES[$format]=$(json_number "$WORK/goaccess-$format.json" bandwidth)
  OUR_LINES[$format]=$(json_number "$WORK/custodian-$format.json" lines)
  OUR_HITS[$format]=$(json_number "$WORK/custodian-$format.json" hits)
  OUR_BYTES[$format]=$(json_number "$WORK/custodian-$format.json" bytes)
  OUR_MALFORMED[$format]=$(json_number "$WORK/custodian-$format.json" malformed)
  OUR_GROUPS[$format]=$(json_number "$WORK/custodian-$format.json" groups)
  echo "GoAccess:  valid_requests ${GA_HITS[$format]}, bandwidth ${GA_BYTES[$format]}"
  echo "Custodian: $(cat "$WORK/custodian-$format.json")"
  echo "Generator: hits ${GEN_HITS[$format]}, bytes ${GEN_BYTES[$format]}, groups ${GEN_GROUPS[$format]}"
  TOTALS[$format]=PASS
  for what in hits bytes; do
    if [ "$what" = hits ]; then
      ours=${OUR_HITS[$format]} theirs=${GA_HITS[$format]} truth=${GEN_HITS[$format]}
    else
      ours=${OUR_BYTES[$format]} theirs=${GA_BYTES[$format]} truth=${GEN_BYTES[$format]}
    fi
    if [ -z "$ours" ] || [ "$ours" != "$theirs" ] || [ "$ours" != "$truth" ]; then
      say "WRONG TOTAL ($format, $what): Custodian ${ours:-none}, GoAccess ${theirs:-none}, generator $truth"
      WRONG=1
      TOTALS[$format]=WRONG
    fi
  done
  # Not part of GoAccess's figures, so only reported: lines read, malformed lines, and the
  # number of (key, day, site) groups against the generator's own count.
  [ "${OUR_LINES[$format]}" = "${GEN_LINES[$format]}" ] \
    || echo "NOTE ($format): Custodian read ${OUR_LINES[$format]:-?} lines, the generator wrote ${GEN_LINES[$format]}"
  [ "${OUR_MALFORMED[$format]:-0}" = 0 ] \
    || echo "NOTE ($format): Custodian found ${OUR_MALFORMED[$format]} malformed lines in a file that has none"
  [ "${OUR_GROUPS[$format]}" = "${GEN_GROUPS[$format]}" ] \
    || echo "NOTE ($format): Custodian made ${OUR_GROUPS[$format]:-?} groups, the generator counted ${GEN_GROUPS[$format]}"
  time_durable_pipeline "$format" "$file" "${GA_TIME[$format]}" "${GA_HITS[$format]}" "${GA_BYTES[$format]}"
done

# ---- Retention and subject access (SQLite, through the store) ----
PURGE_MS="" PURGE_SPREAD="" SAR_S="" SAR_SPREAD="" SAR_DAYS=""
if [ "$RETENTION_WEEKS" -gt 0 ]; then
  step "Purge of one day and subject access over $RETENTION_WEEKS weeks (SQLite)"
  TMPDIR="$WORK" "$TIMING" --weeks "$RETENTION_WEEKS" --repeat "$RUNS" >"$WORK/timing.txt" 2>/dev/null \
    || fail "the monitor_timing example failed"
  grep -v '^$' "$WORK/timing.txt"
  # The best of the runs, then "best-worst".
  spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s %s-%s\n", lo, lo, hi }'; }
  read -r PURGE_MS PURGE_SPREAD <<<"$(grep -o 'purge of one day: [0-9.]*' "$WORK/timing.txt" | grep -o '[0-9.]*$' | spread)"
  read -r SAR_S SAR_SPREAD <<<"$(grep -o 'subject access of one person over [0-9]* days: [0-9.]*' "$WORK/timing.txt" \
    | grep -o '[0-9.]*$' | spread)"
  SAR_DAYS=$(grep -o 'over [0-9]* days' "$WORK/timing.txt" | head -1 | grep -o '[0-9]*')
fi

# ---- Summary ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "MISS") }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? 1 : 0 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
speed_target() {
  case "$1" in squid) echo 10 ;; dnsmasq) echo 8 ;; *) echo "" ;; esac
}
MACHINE="$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"

say ""
say "Custodian monitoring benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
say "Machine: $MACHINE; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
say "Data: $LINES lines a format, $CLIENTS clients, $DAYS days, seed $SEED; best of $RUNS runs (time), largest peak RSS; one thread each"
say ""
say "$(printf '%-9s %10s %14s %12s %10s %12s %10s %9s %9s' format hits bytes 'GoAccess s' 'GoA MiB' 'Custodian s' 'Cust MiB' speed 'RSS')"
for format in $FORMATS; do
  say "$(printf '%-9s %10s %14s %12s %10s %12s %10s %9s %9s' "$format" "${OUR_HITS[$format]}" "${OUR_BYTES[$format]}" \
    "${GA_TIME[$format]}" "$(mib "${GA_RSS[$format]}")" "${OUR_TIME[$format]}" "$(mib "${OUR_RSS[$format]}")" \
    "$(ratio "${GA_TIME[$format]}" "${OUR_TIME[$format]}")x" "$(ratio2 "${OUR_RSS[$format]}" "${GA_RSS[$format]}")x")"
done
say ""
say "$(printf '%-62s %-10s %-12s %s' 'target' 'limit' 'measured' 'result')"
row() { say "$(printf '%-62s %-10s %-12s %s' "$1" "$2" "$3" "$4")"; }
for format in $FORMATS; do
  speed=$(ratio "${GA_TIME[$format]}" "${OUR_TIME[$format]}")
  target=$(speed_target "$format")
  if [ -n "$target" ]; then
    row "$format: parse and summary, speed vs GoAccess" ">= ${target}x" "${speed}x" "$(verdict "$(ge "$speed" "$target")")"
  else
    row "$format: parse and summary, speed vs GoAccess (no target)" "-" "${speed}x" "-"
  fi
  rss=$(ratio2 "${OUR_RSS[$format]}" "${GA_RSS[$format]}")
  row "$format: peak RSS vs GoAccess" "<= 0.5x" "${rss}x" "$(verdict "$(le "$rss" 0.5)")"
  row "$format: hits and bytes equal GoAccess's and the generator's" "equal" "" "${TOTALS[$format]}"
done
while IFS='|' read -r format store best rss goaccess_seconds note; do
  if [ -z "$best" ]; then
    row "$format: durable pipeline ($store)" ">= 4x" "-" "not run: $note"
  else
    speed=$(ratio "$goaccess_seconds" "$best")
    if [ "$store" = SQLite ]; then
      row "$format: durable pipeline ($store), $best s, $(mib "$rss") MiB${note:+, $note}" ">= 4x" "${speed}x" "$(verdict "$(ge "$speed" 4)")"
    else
      # The issue sets the 4x target on SQLite and asks for PostgreSQL to be reported.
      row "$format: durable pipeline ($store, reported), $best s, $(mib "$rss") MiB${note:+, $note}" "-" "${speed}x" "-"
    fi
  fi
done <"$WORK/durable.txt"

if [ -n "$PURGE_MS" ]; then
  row "purge of one day (SQLite), runs ${PURGE_SPREAD} ms" "<= 50 ms" "${PURGE_MS} ms" \
    "$(verdict "$(le "$PURGE_MS" 50)")"
fi
if [ -n "$SAR_S" ]; then
  row "subject access, 1 person, ${SAR_DAYS} days (SQLite), runs ${SAR_SPREAD} s" "<= 2 s" "${SAR_S} s" \
    "$(verdict "$(le "$SAR_S" 2)")"
fi

if [ "$WRONG" != 0 ]; then
  say ""
  say "Totals disagree (see WRONG TOTAL above): the benchmark's figures cannot be trusted."
  exit 1
fi
exit 0
