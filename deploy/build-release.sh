#!/usr/bin/env bash
# Builds a release into one folder: the published app (framework-dependent, linux-x64, needs the ASP.NET Core
# 10 runtime on the machine) and `efbundle`, the EF Core migration bundle for MariaDB/MySQL, built from the
# same commit. deploy/migrate.sh in that folder runs the bundle; no SDK and no source checkout on the server.
#   deploy/build-release.sh [out-dir]        (default: out/release)
#   NH_NO_BUILD=1 deploy/build-release.sh …  reuse the Release build already made (deploy/test.sh builds first)
#
# Why not self-contained: the app itself needs the shared .NET runtime anyway, and a self-contained bundle
# would add ~70 MB and a second runtime to patch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/out/release}")
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
no_build=()
[ "${NH_NO_BUILD:-}" = 1 ] && no_build=(--no-build)

rm -rf "$out"
mkdir -p "$out"
echo "== publish the app into $out"
dotnet publish src/NeighbourHub.Web -c Release -o "$out" -nologo -clp:ErrorsOnly -p:UseAppHost=true "${no_build[@]}"

echo "== migration bundle (MySQL context) into $out/efbundle"
dotnet tool restore >/dev/null
dotnet ef migrations bundle --project src/NeighbourHub.Web --context MySqlNeighbourHubDbContext \
  --configuration Release --output "$out/efbundle" --force "${no_build[@]}" >/dev/null

echo "== operator scripts"
mkdir -p "$out/deploy"
cp -r deploy/migrate.sh deploy/app-user.sh deploy/backup.sh deploy/restore.sh deploy/README.md \
  deploy/neighbourhub.env.example deploy/nginx deploy/systemd "$out/deploy/"
cp tools/NeighbourHub.FundVerifier/README.md "$out/deploy/FundVerifier.md" 2>/dev/null || true
git -C "$root" rev-parse HEAD >"$out/COMMIT" 2>/dev/null || true
echo "release in $out ($(du -sh "$out" | cut -f1)); commit $(cat "$out/COMMIT" 2>/dev/null || echo unknown)"
