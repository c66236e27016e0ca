#!/usr/bin/env bash
# The outside benchmark (#15): the app published in Release and run in Production on MariaDB + Redis, loaded by
# wrk from outside, beside a reference server (bare Kestrel + MySqlConnector, one row by primary key as JSON) in the
# same run. Every figure is printed as a ratio to that reference: the machine is shared and varies day to day.
#   bench/outside.sh                                   # this checkout
#   NH_APP_ROOT=/path/to/other/checkout bench/outside.sh  # measure another version of the app ("before")
# Settings (environment): BENCH_THREADS=2 BENCH_CONNECTIONS=64 BENCH_SECONDS=10 BENCH_WARMUP=5 BENCH_RESIDENTS=200
#   BENCH_SIGNUPS=3000 BENCH_SEATS=200 BENCH_ORDERS=2000 BENCH_DUPLICATES=10 (% of callbacks sent twice)
#   BENCH_PATHS="reference health me repairs bills events notices fund timebank signups callbacks" (a subset to run)
#   BENCH_OUT=file.md (the table as markdown)  BENCH_KEEP=1 (keep logs and work dir)
#   BENCH_APP_ENV="VAR=value …" (extra environment for the measured app only, e.g. a runtime switch to compare)
#   BENCH_HOLD=1 (after seeding, keep the app up for profiling by hand until $work/release exists; BENCH_HOLD=idle: at
#   idle, before seeding, for memory)
# Seeding goes through the app's API (WeChat sign-ins against a local fake, residences applied and approved, bill
# runs, payments, events); only the organisation itself (estates, 300 flats, staff accounts) comes from the app's own
# demo seed (Demo:Seed=true), in a start-up of its own before the measured one, as a roster import would be on a real
# server. Exit status 1 when a burst is not exact.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app_root=$(cd "${NH_APP_ROOT:-$root}" && pwd)
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-64}
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-5}
residents=${BENCH_RESIDENTS:-200}
signups=${BENCH_SIGNUPS:-3000}
seats=${BENCH_SEATS:-200}
orders=${BENCH_ORDERS:-2000}
duplicates=${BENCH_DUPLICATES:-10}
paths=${BENCH_PATHS:-reference health me repairs bills events notices fund timebank signups callbacks}
cd "$root"
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh

work=$(mktemp -d /tmp/nh-outside.XXXXXX)
chmod 755 "$work"
app_pid='' ref_pid='' driver_pid='' wrk_pid='' floor_pid=''
stop_pid() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
cleanup() {
  local rc=$?
  touch "$work/stop"
  stop_pid "$wrk_pid"
  stop_pid "$app_pid"
  stop_pid "$ref_pid"
  stop_pid "$floor_pid"
  # The driver's fake platforms are hosts that turn SIGTERM into a graceful stop of themselves only: kill it outright.
  [ -n "$driver_pid" ] && { kill -9 "$driver_pid" 2>/dev/null; wait "$driver_pid" 2>/dev/null; } || true
  nh_stop_servers
  if [ "${BENCH_KEEP:-}" = 1 ] || [ $rc -ne 0 ]; then echo "== logs kept in $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# MariaDB, Redis and wrk from Debian packages when missing (Chromium and Node are not needed here).
missing=()
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing from Debian packages: ${missing[*]}"
  nh_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive nh_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# BENCH_PREBUILT=dir reuses dir/app, dir/ref, dir/driver from an earlier run (BENCH_KEEP=1) instead of publishing again.
prebuilt=${BENCH_PREBUILT:-}
build() { # name command…
  local name=$1; shift
  if [ -n "$prebuilt" ] && [ -d "$prebuilt/$name" ]; then cp -r "$prebuilt/$name" "$work/$name"; return; fi
  "$@" -o "$work/$name" --nologo -v q >"$work/build-$name.log" 2>&1 || { cat "$work/build-$name.log"; exit 1; }
}
echo "== publishing (Release): the app from $app_root, the reference and the bench driver from $root${prebuilt:+ (reusing what is in $prebuilt)}"
build app dotnet publish "$app_root/src/NeighbourHub.Web" -c Release
build ref dotnet publish bench/NeighbourHub.Reference -c Release
build driver dotnet build bench/NeighbourHub.Bench -c Release

# Ports are picked free but another run may take one first: try again once.
nh_start_servers || { nh_stop_servers; sleep 2; nh_start_servers; }
# The statement goes through stdin: the callbacks' checks list every order, longer than an argument may be.
sql() { mariadb --defaults-file="$NH_SERVERS_DIR/my.cnf" -N -B nh_outside <<<"$1"; }
mariadb --defaults-file="$NH_SERVERS_DIR/my.cnf" -e "CREATE DATABASE nh_outside CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
admin_cs="$NH_TEST_MYSQL;Database=nh_outside"
echo "== migrating as an operator would (deploy/migrate.sh), then the app's own database user (deploy/app-user.sh)"
(cd "$app_root" && ConnectionStrings__NeighbourHub="$admin_cs" deploy/migrate.sh >"$work/migrate.log" 2>&1) || { cat "$work/migrate.log"; exit 1; }
app_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
if [ -x "$app_root/deploy/app-user.sh" ]; then
  MARIADB_CLIENT="mariadb --defaults-file=$NH_SERVERS_DIR/my.cnf" "$app_root/deploy/app-user.sh" nh_outside nh_app "$app_password" 127.0.0.1 >/dev/null
  app_cs="Server=127.0.0.1;Port=$NH_MYSQL_PORT;Database=nh_outside;User ID=nh_app;Password=$app_password"
else
  app_cs=$admin_cs
fi

pfx_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=neighbourhub-bench-dataprotection" \
  -keyout "$work/dataprotection.key" -out "$work/dataprotection.crt" >/dev/null 2>&1
openssl pkcs12 -export -inkey "$work/dataprotection.key" -in "$work/dataprotection.crt" -passout "pass:$pfx_password" \
  -out "$work/dataprotection.pfx" >/dev/null 2>&1
demo_password="Bench@1$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
app_port=$(nh_free_port 38080)
ref_port=$(nh_free_port $((app_port + 1)))
app_url="http://127.0.0.1:$app_port"
ref_url="http://127.0.0.1:$ref_port"

# The driver runs the fake WeChat platforms the app is configured against, seeds through the API and signs callbacks.
dotnet "$work/driver/NeighbourHub.Bench.dll" outside-driver "$work" "$app_url" "$residents" "$signups" "$seats" "$orders" "$duplicates" "$demo_password" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 300); do [ -f "$work/fakes.env" ] && break; kill -0 "$driver_pid" 2>/dev/null || { cat "$work/driver.log"; exit 1; }; sleep 0.2; done

jwt_key=$(head -c 48 /dev/urandom | base64)
start_app() { # log file, then extra VAR=value settings
  local log=$1; shift
  (
    # shellcheck disable=SC1091
    source "$work/fakes.env"
    export ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$app_url"
    export Database__Provider=MySql ConnectionStrings__NeighbourHub="$app_cs" ConnectionStrings__Redis="$NH_TEST_REDIS"
    export Redis__KeyPrefix="nh-outside:" Jwt__SigningKey="$jwt_key"
    export Fund__SigningKeyPath="$work/fund-signing-key.pem" Files__Directory="$work/files"
    # Production with Redis encrypts the data-protection key ring with a certificate, as deploy/README.md sets it up.
    export DataProtection__CertificatePath="$work/dataprotection.pfx" DataProtection__CertificatePassword="$pfx_password"
    # 3,200 WeChat sign-ins from one address in a minute: a production limit the seeding would otherwise hit.
    export RateLimiting__ResidentLoginPerAddressPerMinute=100000
    for kv in "$@"; do export "${kv?}"; done
    cd "$work/app" && exec dotnet NeighbourHub.Web.dll >"$log" 2>&1
  ) &
  app_pid=$!
}
wait_ready() {
  for _ in $(seq 1 600); do
    curl -fs "$app_url/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "the app did not start:"; tail -50 "$1"; exit 1
}
rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$app_pid/status"; }

# The organisation (estates, 300 flats, staff accounts) comes from the app's own demo seed, in a start-up of its own:
# a server is put in service after its roster is imported, and the seed JIT-compiles most of the app (ADR 0010), which
# a serving start-up never does. Everything else is seeded through the API of the serving app.
echo "== importing the organisation: the app's demo seed in a start-up of its own"
start_app "$work/app-import.log" Demo__Seed=true Demo__Password="$demo_password"
wait_ready "$work/app-import.log"
import_rss=$(rss_kb VmRSS)
stop_pid "$app_pid"

echo "== starting the app (Production) on $app_url and the reference on $ref_url"
# shellcheck disable=SC2086 # BENCH_APP_ENV is a list of VAR=value words
start_app "$work/app.log" Demo__Seed=false ${BENCH_APP_ENV:-}
(ConnectionStrings__Reference="$admin_cs" ASPNETCORE_URLS="$ref_url" exec dotnet "$work/ref/NeighbourHub.Reference.dll" >"$work/ref.log" 2>&1) &
ref_pid=$!
wait_ready "$work/app.log"
for _ in $(seq 1 100); do curl -fs "$ref_url/ref/live" >/dev/null 2>&1 && break; sleep 0.2; done

curl -fs "$ref_url/ref/1" >/dev/null 2>&1 || true # one database read, as the app's readiness check makes
echo "== settling 10 s, then idle memory"
sleep 10
idle_rss=$(rss_kb VmRSS)
# Floors for that figure, in the same run (ADR 0010): the reference (bare Kestrel and MySqlConnector) and the same
# with EF Core and the app's model (the driver's memory-floor mode), each idle 10 s after one database read.
ref_idle_rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$ref_pid/status")
floor_url="http://127.0.0.1:$(nh_free_port $((ref_port + 1)))"
(ConnectionStrings__Floor="$app_cs" exec dotnet "$work/driver/NeighbourHub.Bench.dll" memory-floor "$floor_url" >"$work/floor.log" 2>&1) &
floor_pid=$!
for _ in $(seq 1 150); do curl -fs "$floor_url/floor" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 10
floor_rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$floor_pid/status" 2>/dev/null || echo 0)
stop_pid "$floor_pid"
floor_pid=''
hold() { # For profiling by hand: the app stays up (dotnet-trace/dotnet-gcdump -p, wrk with the tokens) until $work/release exists.
  printf 'app_url=%s\nref_url=%s\napp_pid=%s\nestate_id=%s\nevent_id=%s\nwork=%s\n' \
    "$app_url" "$ref_url" "$app_pid" "${estate_id:-}" "${event_id:-}" "$work" >"$work/hold.env"
  echo "== holding $1: see $work/hold.env; touch $work/release to go on"
  while [ ! -f "$work/release" ]; do sleep 1; done
  rm -f "$work/release"
}
[ "${BENCH_HOLD:-}" = idle ] && hold "at idle, before seeding"
touch "$work/go"
echo "== seeding through the API ($residents residents with flats, bills and $orders orders; $signups more residents for the burst)"
for _ in $(seq 1 1800); do
  [ -f "$work/seeded" ] && break
  kill -0 "$driver_pid" 2>/dev/null || { tail -30 "$work/driver.log"; exit 1; }
  sleep 1
done
[ -f "$work/seeded" ] || { echo "seeding timed out"; tail -30 "$work/driver.log"; exit 1; }
# shellcheck disable=SC1091
source "$work/ids.env"
seeded_rss=$(rss_kb VmRSS)
[ "${BENCH_HOLD:-}" = 1 ] && hold "after seeding"

# path label | URL | mode; results in $work/result.<label>: req/s p50 p99 non2xx responses statuses socket_errors
declare -a rows=()
measure_reads() { # label url [tokens file|-] [ids file]
  local label=$1 url=$2
  echo "-- $label: $url"
  # Unmeasured first: the reference and every path get the same warm-up (JIT tiers, pools, caches), or the
  # first path measured pays for the machine waking up.
  wrk -t"$threads" -c"$connections" -d"${warmup}s" --timeout 10s -s "$root/bench/outside/reads.lua" "$url" -- "$work/warmup.$label" "${3:--}" ${4:+"$4"} \
    >/dev/null 2>&1 || true
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$root/bench/outside/reads.lua" "$url" -- "$work/result.$label" "${3:--}" ${4:+"$4"} \
    >"$work/wrk.$label.log" 2>&1
  rows+=("$label")
}
measure_once() { # label url items kind
  local label=$1 url=$2 items=$3 kind=$4 markers="$work/markers.$1"
  echo "-- $label: $url ($(wc -l <"$items") requests, each once)"
  mkdir -p "$markers"
  wrk -t"$threads" -c"$connections" -d600s --timeout 30s -s "$root/bench/outside/once.lua" "$url" -- "$work/result.$label" "$items" "$kind" "$threads" "$markers" \
    >"$work/wrk.$label.log" 2>&1 &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null && [ "$(find "$markers" -name 'done.*' | wc -l)" -lt "$threads" ]; do sleep 0.1; done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
  wrk_pid=''
  rows+=("$label")
}

failures=()
notes=()
echo "== measuring: $threads threads, $connections connections, ${seconds} s per path"
for p in $paths; do
  case $p in
    reference) measure_reads reference "$ref_url/ref/" - "$work/ref.ids" ;;
    health) measure_reads health "$app_url/health/ready" ;;
    me) measure_reads me "$app_url/api/v1/me" "$work/residents.tokens" ;;
    repairs) measure_reads repairs "$app_url/api/v1/repairs" "$work/residents.tokens" ;;
    bills) measure_reads bills "$app_url/api/v1/bills" "$work/residents.tokens" ;;
    events) measure_reads events "$app_url/api/v1/events" "$work/residents.tokens" ;;
    notices) measure_reads notices "$app_url/api/v1/notices" "$work/residents.tokens" ;;
    fund) measure_reads fund "$app_url/api/v1/estates/$estate_id/fund" "$work/residents.tokens" ;;
    timebank) measure_reads timebank "$app_url/api/v1/timebank/account" "$work/residents.tokens" ;;
    signups)
      measure_once signups "$app_url/api/v1/events/$event_id/signups" "$work/signup.tokens" tokens
      # Exact, from the database: seats confirmed, the rest waitlisted with tickets 1..n in order, nobody twice.
      read -r confirmed waitlisted people rows_total <<<"$(sql "SELECT SUM(Status='Confirmed'), SUM(Status='Waitlisted'), COUNT(DISTINCT ResidentId), COUNT(*) FROM EventSignups WHERE EventId=$event_id")"
      read -r tickets tmin tmax <<<"$(sql "SELECT COUNT(DISTINCT WaitlistTicket), MIN(WaitlistTicket), MAX(WaitlistTicket) FROM EventSignups WHERE EventId=$event_id AND Status='Waitlisted'")"
      read -r c_confirmed c_waitlisted <<<"$(sql "SELECT Confirmed, Waitlisted FROM Events WHERE Id=$event_id")"
      # Later tickets must not have signed up earlier (SignedUpAt is taken per request, so equal times are fine).
      inversions=$(sql "SELECT COUNT(*) FROM (SELECT SignedUpAt, LAG(SignedUpAt) OVER (ORDER BY WaitlistTicket) AS prev FROM EventSignups WHERE EventId=$event_id AND Status='Waitlisted') x WHERE SignedUpAt < prev")
      expect_wait=$((signups - seats))
      note="confirmed $confirmed (counter $c_confirmed), waitlisted $waitlisted (counter $c_waitlisted), tickets $tickets distinct $tmin..$tmax, $people residents in $rows_total rows, $inversions ticket/time inversions"
      notes+=("signups: $note")
      if [ "$confirmed" != "$seats" ] || [ "$waitlisted" != "$expect_wait" ] || [ "$people" != "$signups" ] || [ "$rows_total" != "$signups" ] \
        || [ "$c_confirmed" != "$seats" ] || [ "$c_waitlisted" != "$expect_wait" ] || [ "$tickets" != "$expect_wait" ] || [ "$tmin" != 1 ] || [ "$tmax" != "$expect_wait" ]; then
        failures+=("SIGN-UP BURST NOT EXACT: $note (expected $seats confirmed, $expect_wait waitlisted 1..$expect_wait)")
      fi
      ;;
    callbacks)
      order_count=$(wc -l <"$work/orders.txt")
      in_list=$(sed "s/.*/'&'/" "$work/orders.txt" | paste -sd, -)
      before_events=$(sql "SELECT COUNT(*) FROM OutboxMessages WHERE Topic='payments.collected'")
      touch "$work/sign.request"
      for _ in $(seq 1 600); do [ -f "$work/callbacks.done" ] && break; sleep 0.2; done
      [ -f "$work/callbacks.done" ] || { echo "signing timed out"; tail -20 "$work/driver.log"; exit 1; }
      measure_once callbacks "$app_url/api/v1/payments/wechat/notify" "$work/callbacks.tsv" callbacks
      # Every order paid exactly once: its payment paid, its bill paid, one collection event each.
      paid=$(sql "SELECT COUNT(*) FROM Payments WHERE OutTradeNo IN ($in_list) AND Status='Paid'")
      bills_paid=$(sql "SELECT COUNT(*) FROM Bills b JOIN PaymentBills pb ON pb.BillId=b.Id JOIN Payments p ON p.Id=pb.PaymentId WHERE p.OutTradeNo IN ($in_list) AND b.Status='Paid'" 2>/dev/null || echo '?')
      events_now=$(sql "SELECT COUNT(*) FROM OutboxMessages WHERE Topic='payments.collected'")
      note="$order_count orders + $(cut -d' ' -f2 "$work/callbacks.done") duplicate callbacks: $paid paid, bills paid $bills_paid, collection events +$((events_now - before_events))"
      notes+=("callbacks: $note")
      if [ "$paid" != "$order_count" ] || [ "$((events_now - before_events))" != "$order_count" ] || { [ "$bills_paid" != '?' ] && [ "$bills_paid" != "$order_count" ]; }; then
        failures+=("CALLBACKS NOT EXACT: $note")
      fi
      ;;
    *) echo "unknown path $p" >&2; exit 2 ;;
  esac
done
peak_rss=$(rss_kb VmHWM)
end_rss=$(rss_kb VmRSS)

label_of() {
  case $1 in
    reference) echo "reference (bare Kestrel + MySqlConnector, PK row as JSON)" ;;
    health) echo "\`GET /health/ready\`" ;;
    me) echo "\`GET /api/v1/me\`" ;;
    repairs) echo "\`GET /api/v1/repairs\`" ;;
    bills) echo "\`GET /api/v1/bills\`" ;;
    events) echo "\`GET /api/v1/events\`" ;;
    notices) echo "\`GET /api/v1/notices\`" ;;
    fund) echo "\`GET /api/v1/estates/{id}/fund\`" ;;
    timebank) echo "\`GET /api/v1/timebank/account\`" ;;
    signups) echo "$signups residents → $seats seats, \`POST …/signups\` (each once)" ;;
    callbacks) echo "WeChat Pay callbacks, \`POST /api/v1/payments/wechat/notify\` (each once, ${duplicates}% twice)" ;;
  esac
}
ref_rps=$(awk '{ print $1 }' "$work/result.reference" 2>/dev/null || echo 0)
table="| path | req/s | of the reference | p50 ms | p99 ms | non-2xx | statuses |
| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for label in "${rows[@]}"; do
  if [ -s "$work/result.$label" ]; then
    read -r rps p50 p99 non2xx total statuses socket <<<"$(cat "$work/result.$label")"
    ratio=$(awk -v a="$rps" -v b="$ref_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    [ "$socket" != 0 ] && statuses="$statuses; socket errors $socket"
    [ "$non2xx" != 0 ] && failures+=("$label: $non2xx non-2xx answers ($statuses)")
  else
    rps='-' ratio='-' p50='-' p99='-' non2xx='?' statuses="no result (see $work/wrk.$label.log)"
    failures+=("$label: no result")
  fi
  table+="
| $(label_of "$label") | $rps | $ratio | $p50 | $p99 | $non2xx | $statuses |"
done
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
memory="Memory of the app (from /proc): idle after start-up $(mb "$idle_rss") (VmRSS), after seeding $(mb "$seeded_rss"), at the end $(mb "$end_rss"), peak $(mb "$peak_rss") (VmHWM); the organisation's import start-up (demo seed) held $(mb "$import_rss") when ready. Floors in the same run, idle after one database read: bare Kestrel + MySqlConnector (the reference) $(mb "$ref_idle_rss"); the same + EF Core with the app's model $(mb "$floor_rss")."
setup="wrk $threads threads, $connections connections, ${seconds} s per read path after ${warmup} s unmeasured; app $(git -C "$app_root" rev-parse --short HEAD 2>/dev/null || echo '?') in Production on MariaDB $(mariadbd --version | awk '{ print $3 }') + Redis, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)."

echo
echo "$setup"
echo "$table"
echo "$memory"
for n in "${notes[@]}"; do echo "  $n"; done
if [ -n "${BENCH_OUT:-}" ]; then
  {
    echo "$setup"
    echo
    echo "$table"
    echo
    echo "$memory"
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
  } >"$BENCH_OUT"
  echo "== written to $BENCH_OUT"
fi
if [ ${#failures[@]} -gt 0 ]; then
  printf '!! %s\n' "${failures[@]}"
  exit 1
fi
