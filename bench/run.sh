#!/usr/bin/env bash
# Runs a benchmark against real MariaDB and Redis (installed and started like the tests), in Release.
#   bench/run.sh events-signup [residents=5000] [seats=200] [concurrency=64] [gate|db]
#   bench/run.sh repairs-list [repairs=1000000] [residents=2000] [concurrency=64] [seconds=10]
#   bench/run.sh billing-run [households=100000]
#   bench/run.sh payment-callbacks [payments=2000] [concurrency=32]
#   bench/run.sh fund-appends [appends=2000] [concurrency=8]
#   bench/run.sh fund-proofs [leaves=1000000]
#   bench/run.sh dashboard [repairs=1000000] [requests=20]
# From outside (published app in Production, wrk, a reference server in the same run): bench/outside.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh
nh_ensure_packages
nh_start_servers
trap nh_stop_servers EXIT
dotnet run -c Release --project bench/NeighbourHub.Bench -- "$@"
