#!/usr/bin/env bash
# Where one path's time goes: load it with wrk (the outside benchmark's tokens) while dotnet-trace samples the app,
# then print the widest frames of busy request time (bench/profile/top.py). Run beside `BENCH_HOLD=1 bench/outside.sh`:
#   bench/profile/trace.sh /tmp/nh-outside.XXXX/hold.env /api/v1/me [seconds=8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1090
source "$1"
path=$2 secs=${3:-8}
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
tokens="$work/residents.tokens"
out=$(mktemp -d /tmp/nh-trace.XXXXXX)
wrk -t2 -c64 -d"$((secs + 6))s" -s "$here/../outside/reads.lua" "$app_url$path" -- "$out/result" "$tokens" >"$out/wrk.log" 2>&1 &
wrk_pid=$!
sleep 3
dotnet-trace collect -p "$app_pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$(printf %02d "$secs")" -o "$out/trace.nettrace" >"$out/trace.log" 2>&1
wait "$wrk_pid" || true
dotnet-trace convert "$out/trace.nettrace" --format speedscope -o "$out/trace" >/dev/null 2>&1
echo "$path: $(awk '{ print $1 " req/s, p99 " $3 " ms" }' "$out/result") under tracing; files in $out"
python3 "$here/top.py" "$out/trace.speedscope.json" "${@:4}"
