#!/usr/bin/env bash
# Applies pending migrations to a MariaDB/MySQL database, explicitly, before a release.
# The app never migrates MySQL by itself; it refuses to start when the schema is behind.
#   ConnectionStrings__NeighbourHub="Server=…;Database=neighbourhub;User ID=…;Password=…" deploy/migrate.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${ConnectionStrings__NeighbourHub:?set ConnectionStrings__NeighbourHub to the MariaDB/MySQL connection string}"
dotnet tool restore >/dev/null
dotnet ef database update --project src/NeighbourHub.Web --context MySqlNeighbourHubDbContext \
  --connection "$ConnectionStrings__NeighbourHub"
