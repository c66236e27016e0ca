#!/usr/bin/env bash
# Rough same-run load loop for the per-request cost (issue #15): the published app in Production on the
# servers of servers.sh, beside a bare Kestrel + MySqlConnector reference; prints req/s as ratios to it.
#   bench/hotpath/load.sh <publish dir> [seconds=10] [paths…]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pub=$1; secs=${2:-10}; shift 2 || true
ENVFILE=${ENVFILE:-/tmp/h-hotpath-env.sh}
# shellcheck disable=SC1090
source "$ENVFILE"
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
work=$(mktemp -d /tmp/h-hotpath-load.XXXXXX)
key=hotpath-bench-signing-key-0123456789abcdef
APP_PORT=${APP_PORT:-5610}; REF_PORT=${REF_PORT:-5611}
my() { mariadb --defaults-file="$NH_SERVERS_DIR/my.cnf" -N -B nh -e "$1"; }

if [ ! -d /tmp/h-hotpath-ref ]; then dotnet publish "$here/reference" -c Release -o /tmp/h-hotpath-ref >/dev/null; fi
REF_MYSQL="$NH_DB;Database=nh" ASPNETCORE_URLS=http://127.0.0.1:$REF_PORT /tmp/h-hotpath-ref/Reference >"$work/ref.log" 2>&1 &
ref=$!
seed=false; [ "$(my 'SELECT COUNT(*) FROM Residents' 2>/dev/null || echo 0)" = 0 ] && seed=true
( cd "$pub" && ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=http://127.0.0.1:$APP_PORT Database__Provider=MySql \
  ConnectionStrings__NeighbourHub="$NH_DB" ConnectionStrings__Redis="127.0.0.1:$NH_REDIS_PORT" Jwt__SigningKey=$key WeChat__Sandbox=true WeChatPay__AllowSandboxInProduction=true \
  Demo__Seed=$seed ${APP_ENV:-} exec ./NeighbourHub.Web >"$work/app.log" 2>&1 ) &
app=$!
trap 'kill $app $ref 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$APP_PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$APP_PORT/health/ready" >/dev/null || { tail -30 "$work/app.log"; exit 1; }
sleep 2
rss() { awk '/^VmRSS/{print int($2/1024)}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/{print int($2/1024)}' "/proc/$1/status"; }
idle=$(rss $app)

ids=$(my "SELECT DISTINCT ResidentId FROM Residences WHERE Status='Approved' LIMIT 200" | tr '\n' ' ')
estate=$(my "SELECT EstateId FROM Residences WHERE Status='Approved' LIMIT 1")
refid=$(my "SELECT MIN(Id) FROM Residents")
python3 "$here/token.py" "$key" $ids >"$work/tokens"
export TOKENS=$work/tokens
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/health/ready /api/v1/me /api/v1/repairs /api/v1/bills /api/v1/events /api/v1/notices
  "/api/v1/estates/$estate/fund" /api/v1/timebank/account)
for p in "${paths[@]}"; do
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$TOKENS")" "http://127.0.0.1:$APP_PORT$p")
  [ "$code" = 200 ] || { echo "$p answered $code: $(head -c 300 "$work/body")"; }
done

one() { # url → "req/s p99ms"
  wrk -t2 -c64 -d"${secs}s" --latency -s "$here/tokens.lua" "$1" | awk '
    /Requests\/sec/ {r=$2} /^ +99%/ {v=$2; if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p=v}
    /Non-2xx/ {n=$NF} END {printf "%d %.0f %s\n", r, p, (n?n:0)}'
}
# Warm both up (tiering, pools) before anything is measured.
wrk -t2 -c64 -d3s "http://127.0.0.1:$REF_PORT/row/$refid" >/dev/null
wrk -t2 -c64 -d3s -s "$here/tokens.lua" "http://127.0.0.1:$APP_PORT/api/v1/me" >/dev/null
if [ -n "${PROFILE:-}" ]; then # PROFILE=/api/v1/me: a 15 s CPU sample under load, as speedscope JSON in $OUT
  wrk -t2 -c64 -d25s -s "$here/tokens.lua" "http://127.0.0.1:$APP_PORT$PROFILE" >"$work/wrk.txt" &
  sleep 3
  dotnet dotnet-trace collect -p $app --profile dotnet-sampled-thread-time --duration 00:00:00:15 -o "$work/trace.nettrace" >/dev/null
  wait
  dotnet dotnet-trace convert --format speedscope "$work/trace.nettrace" -o "${OUT:-$work/trace}" >/dev/null
  grep Requests/sec "$work/wrk.txt"; ls "${OUT:-$work/trace}"*; exit 0
fi
read -r rr rp _ < <(one "http://127.0.0.1:$REF_PORT/row/$refid")
printf '%-34s %7s %6s %6s %s\n' path req/s ratio p99ms non2xx
printf '%-34s %7d %6.2f %6d\n' reference "$rr" 1 "$rp"
for p in "${paths[@]}"; do
  read -r r pp n < <(one "http://127.0.0.1:$APP_PORT$p")
  printf '%-34s %7d %6.2f %6d %s\n' "$p" "$r" "$(echo "$r / $rr" | bc -l)" "$pp" "$n"
done
read -r rr2 rp2 _ < <(one "http://127.0.0.1:$REF_PORT/row/$refid")
printf '%-34s %7d %6.2f %6d\n' "reference again" "$rr2" "$(echo "$rr2 / $rr" | bc -l)" "$rp2"
echo "RSS idle ${idle} MB, peak ${hwm_:-$(hwm $app)} MB, now $(rss $app) MB"
[ -n "${KEEP:-}" ] && { echo "app pid $app, work $work; press ctrl-c"; wait $app; }
