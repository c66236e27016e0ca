#!/usr/bin/env bash
# Runs a benchmark against real MariaDB and Redis (installed and started like the tests), in Release.
#   bench/run.sh events-signup [residents=5000] [seats=200] [concurrency=64]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh
nh_ensure_packages
nh_start_servers
trap nh_stop_servers EXIT
dotnet run -c Release --project bench/NeighbourHub.Bench -- "$@"
