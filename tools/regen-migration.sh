#!/usr/bin/env bash
# Regenerates the latest, not-yet-released migration for both providers from the current model (so a feature in
# progress keeps one migration however often its entities change). Usage: tools/regen-migration.sh <Name>.
# If <Name> is the latest migration it is removed first (with the snapshot rolled back by EF); then it is added anew.
# Never use it on a migration that has been released.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?migration name}
dotnet tool restore >/dev/null
dotnet build src/NeighbourHub.Web -c Release -v q -nologo | grep -E " error |rror\(s\)" || true
for ctx in Sqlite MySql; do
  dir=src/NeighbourHub.Web/Data/Migrations/$ctx
  latest=$(ls "$dir" | grep -E '^[0-9]{14}_.*\.cs$' | grep -v Designer | sort | tail -1)
  if [[ $latest == *_"$name".cs ]]; then
    dotnet ef migrations remove --project src/NeighbourHub.Web --context ${ctx}NeighbourHubDbContext \
      --no-build --configuration Release --force >/dev/null
  fi
done
# Removing changed the snapshots the build reads; rebuild before adding.
dotnet build src/NeighbourHub.Web -c Release -v q -nologo | grep -E " error |rror\(s\)" || true
for ctx in Sqlite MySql; do
  dotnet ef migrations add "$name" --project src/NeighbourHub.Web --context ${ctx}NeighbourHubDbContext \
    -o Data/Migrations/$ctx --no-build --configuration Release >/dev/null
done
echo "migration $name regenerated for SQLite and MariaDB"
