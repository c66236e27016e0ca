#!/usr/bin/env bash
# Two (or more) builds of the app on ONE seeded database, swapped in place, measured by CPU per request: throughput
# moves by a third between runs of bench/outside.sh on this machine, CPU time per request far less. Run beside
# `BENCH_HOLD=1 bench/outside.sh` (it holds the seeded app), with builds published by `dotnet publish -o DIR`:
#   bench/profile/ab.sh <work dir>/hold.env "before=/tmp/app-a after=/tmp/app-b" "events notices me" [rounds=2]
# A build may carry environment settings of its own after commas: "gen0=/tmp/app-b,DOTNET_GCgen0size=0x4000000".
# Each build is started with the held app's environment, every path warmed 8 s, then each path measured 6 s under wrk;
# the app's and MariaDB's CPU ticks from /proc give milliseconds per request. The last build started stays up; its pid
# is in <work dir>/ab.pid. The residents' tokens expire: measure within half an hour of seeding.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1090
source "$1"
builds=$2 paths=$3 rounds=${4:-2}
environ="$work/ab.environ"
[ -s "$environ" ] || cp "/proc/$app_pid/environ" "$environ"
# The MariaDB the held app talks to (its connection string's port): another run's server may be up beside it.
db_port=$(tr '\0' '\n' <"$environ" | sed -n 's/^ConnectionStrings__NeighbourHub=.*Port=\([0-9]*\).*/\1/p')
db_pid=$(ss -Hltnp "sport = :$db_port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
current=$app_pid
[ -f "$work/ab.pid" ] && current=$(cat "$work/ab.pid")
hz=$(getconf CLK_TCK)

start() { # build dir[,VAR=value...]
  kill "$current" 2>/dev/null || true
  while kill -0 "$current" 2>/dev/null; do sleep 0.2; done
  local dir=${1%%,*} extra=()
  [ "$dir" != "$1" ] && IFS=, read -r -a extra <<<"${1#*,}"
  (
    while IFS= read -r -d '' kv; do export "${kv?}"; done <"$environ"
    for kv in "${extra[@]}"; do export "${kv?}"; done
    cd "$dir" && exec dotnet NeighbourHub.Web.dll >>"$work/ab-app.log" 2>&1
  ) &
  current=$!
  echo "$current" >"$work/ab.pid"
  for _ in $(seq 1 200); do curl -fs "$app_url/health/ready" >/dev/null 2>&1 && return; sleep 0.3; done
  echo "the build in $dir did not start; see $work/ab-app.log" >&2
  exit 1
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
url() {
  case $1 in
    fund) echo "$app_url/api/v1/estates/$estate_id/fund" ;;
    timebank) echo "$app_url/api/v1/timebank/account" ;;
    health) echo "$app_url/health/ready" ;;
    *) echo "$app_url/api/v1/$1" ;;
  esac
}
load() { # seconds path result-file
  wrk -t2 -c64 -d"$1s" -s "$here/../outside/reads.lua" "$(url "$2")" -- "$3" "$work/residents.tokens" >/dev/null 2>&1
}

for round in $(seq 1 "$rounds"); do
  for build in $builds; do
    label=${build%%=*} dir=${build#*=}
    start "$dir"
    for p in $paths; do load 8 "$p" "$work/ab.warm"; done
    for p in $paths; do
      a0=$(ticks "$current") d0=$(ticks "$db_pid")
      load 6 "$p" "$work/ab.result"
      a1=$(ticks "$current") d1=$(ticks "$db_pid")
      read -r rps _ p99 non2xx _ <"$work/ab.result"
      awk -v l="$label" -v r="$round" -v p="$p" -v rps="$rps" -v p99="$p99" -v bad="$non2xx" -v a=$((a1 - a0)) -v d=$((d1 - d0)) -v hz="$hz" \
        'BEGIN { n = rps * 6; printf "%-8s round %s %-9s %6.0f req/s  p99 %6.1f ms  app %.2f ms  MariaDB %.2f ms per request%s\n",
          l, r, p, rps, p99, a * 1000 / hz / n, d * 1000 / hz / n, (bad > 0 ? "  (" bad " non-2xx: tokens expired?)" : "") }'
    done
  done
done
