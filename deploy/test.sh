#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing (MariaDB, Redis, Chromium from
# Debian packages), starts private servers on loopback, checks formatting and migrations, runs every
# test project, and stops the servers again.
#   deploy/test.sh                 everything
#   deploy/test.sh --filter X      passes --filter X to every `dotnet test`
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

nh_ensure_packages
nh_start_servers
trap nh_stop_servers EXIT

echo "== npm: independent WeChat Pay implementation for the cross-check"
npm ci --prefix tests/independent-wechatpay --no-audit --no-fund --loglevel=error >/dev/null

echo "== build"
dotnet tool restore >/dev/null
dotnet build NeighbourHub.sln -c Release -warnaserror -nologo -clp:ErrorsOnly

echo "== formatting (dotnet format --verify-no-changes)"
dotnet format NeighbourHub.sln --verify-no-changes --no-restore

echo "== pending model changes (both providers)"
for ctx in SqliteNeighbourHubDbContext MySqlNeighbourHubDbContext; do
  dotnet ef migrations has-pending-model-changes --project src/NeighbourHub.Web --context "$ctx" --configuration Release --no-build
done

status=0
for project in UnitTests ComponentTests IntegrationTests E2ETests; do
  echo "== tests: $project"
  dotnet test "tests/NeighbourHub.$project" -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" || status=1
done

# Three instances behind nginx, killed and starved mid-load (its own servers; about four minutes).
if [ $# -eq 0 ]; then
  echo "== kill test (deploy/kill-test.sh)"
  NH_NO_BUILD=1 deploy/kill-test.sh || status=1
else
  echo "== kill test NOT run: arguments were given (run deploy/kill-test.sh by itself)"
fi
exit $status
