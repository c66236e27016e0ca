#!/usr/bin/env bash
# Applies pending migrations to a MariaDB/MySQL database, explicitly, before a release.
# The app never migrates MySQL by itself; it refuses to start when the schema is behind.
#   ConnectionStrings__NeighbourHub="Server=…;Database=neighbourhub;User ID=…;Password=…" deploy/migrate.sh
#
# In a release folder (deploy/build-release.sh) it runs the EF migration bundle built with that release
# (`efbundle`, next to the app): no SDK, no source. From a source checkout (no bundle) it falls back to
# `dotnet ef database update`. Use a user that may ALTER (an admin), not the app's own user; then re-run
# deploy/app-user.sh so new tables get their grants.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${ConnectionStrings__NeighbourHub:?set ConnectionStrings__NeighbourHub to the MariaDB/MySQL connection string}"
bundle=${NH_EFBUNDLE:-$here/../efbundle}
if [ -x "$bundle" ]; then
  echo "== migrating with the bundle $(realpath "$bundle")"
  # The bundle must not read the app's settings files from the current directory: run it from its own folder.
  cd "$(dirname "$bundle")"
  "$bundle" --connection "$ConnectionStrings__NeighbourHub"
else
  root=$(cd "$here/.." && pwd)
  cd "$root"
  [ -f src/NeighbourHub.Web/NeighbourHub.Web.csproj ] || { echo "no efbundle next to this script and no source checkout at $root" >&2; exit 2; }
  echo "== migrating with dotnet ef from the source checkout (no bundle found at $bundle)"
  dotnet tool restore >/dev/null
  dotnet ef database update --project src/NeighbourHub.Web --context MySqlNeighbourHubDbContext \
    --connection "$ConnectionStrings__NeighbourHub"
fi
