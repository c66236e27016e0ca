#!/usr/bin/env bash
# What the observability costs per request: the Release build in Production on MariaDB + Redis, measured with wrk
# against /health/ready and a resident read (/api/v1/me), in three configurations started one after the other:
#   off     — Observability__Enabled=false (no OpenTelemetry at all; the baseline)
#   metrics — the default: product, ASP.NET Core, HttpClient and runtime metrics, no tracing
#   traces  — also tracing (ASP.NET Core, EF Core, Redis, HttpClient) to an OTLP endpoint nobody listens on
# Report ratios to "off" from the same run; absolute figures move with the machine's load.
#   bench/observability.sh [seconds=10] [connections=32] [rounds=2]
# Needs a Release build (dotnet build -c Release) and wrk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-10}
connections=${2:-32}
rounds=${3:-2}
dll=$root/src/NeighbourHub.Web/bin/Release/net10.0/NeighbourHub.Web.dll
[ -f "$dll" ] || { echo "build first: dotnet build src/NeighbourHub.Web -c Release"; exit 1; }
command -v wrk >/dev/null || { echo "install wrk (Debian package)"; exit 1; }
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh
nh_start_servers
work=$(mktemp -d /tmp/nh-obs-bench.XXXXXX)
app=
cleanup() { [ -n "$app" ] && kill "$app" 2>/dev/null; wait 2>/dev/null; nh_stop_servers; rm -rf "$work"; }
trap cleanup EXIT
cs="$NH_TEST_MYSQL;Database=nh_obs_bench"
mariadb -h127.0.0.1 -P"${NH_MYSQL_PORT}" -unh -pnh-test -e "CREATE DATABASE nh_obs_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
dotnet tool restore >/dev/null
dotnet ef database update --project src/NeighbourHub.Web --context MySqlNeighbourHubDbContext --no-build --configuration Release --connection "$cs" >/dev/null
port=$(nh_free_port 18080)

start() { # $1 = label, rest = extra environment
  local label=$1; shift
  (cd "$work" && env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" Database__Provider=MySql \
    ConnectionStrings__NeighbourHub="$cs" ConnectionStrings__Redis="$NH_TEST_REDIS" Jwt__SigningKey=bench-signing-key-0123456789abcdef0123456789 \
    WeChat__Sandbox=true WeChatPay__AllowSandboxInProduction=true Logging__LogLevel__Default=Warning "$@" \
    dotnet "$dll" >"$work/$label.log" 2>&1) &
  app=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return 0; sleep 0.2; done
  cat "$work/$label.log"; return 1
}

stop() { kill "$app"; wait "$app" 2>/dev/null || true; app=; }

measure() { # $1 = label, $2 = path, $3 = token (optional)
  local hdr=()
  [ -n "${3:-}" ] && hdr=(-H "Authorization: Bearer $3")
  wrk -t2 -c"$connections" -d2s "${hdr[@]}" "http://127.0.0.1:$port$2" >/dev/null # warm-up
  local out; out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "${hdr[@]}" "http://127.0.0.1:$port$2")
  local rps p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-8s %-14s %10s req/s  p99 %8s  non-2xx %s\n' "$1" "$2" "$rps" "$p99" "${errs:-0}"
}

for round in $(seq 1 "$rounds"); do
  for mode in off metrics traces; do
    case $mode in
      off) start $mode Observability__Enabled=false ;;
      metrics) start $mode ;;
      traces) start $mode OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 ;;
    esac
    token=$(curl -fs -H 'Content-Type: application/json' -d "{\"code\":\"bench-$round-$mode\"}" "http://127.0.0.1:$port/api/v1/auth/wechat/login" \
      | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
    measure "$mode" /health/ready
    measure "$mode" /api/v1/me "$token"
    stop
  done
done
