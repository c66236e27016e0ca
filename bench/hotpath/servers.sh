#!/usr/bin/env bash
# Private MariaDB + Redis for hotpath profiling, kept up between runs (deploy/test-servers.sh starts them).
#   bench/hotpath/servers.sh up     # start, create and migrate database nh, seed the demo estate; writes $ENVFILE
#   bench/hotpath/servers.sh down
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
ENVFILE=${ENVFILE:-/tmp/h-hotpath-env.sh}
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh
case "${1:-up}" in
  up)
    nh_start_servers
    mariadb --defaults-file="$NH_SERVERS_DIR/my.cnf" -e "CREATE DATABASE nh CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    cat >"$ENVFILE" <<ENV
export NH_SERVERS_DIR=$NH_SERVERS_DIR
export NH_MYSQL_PORT=$NH_MYSQL_PORT
export NH_REDIS_PORT=$NH_REDIS_PORT
export NH_DB="Server=127.0.0.1;Port=$NH_MYSQL_PORT;Database=nh;User ID=nh;Password=nh-test"
ENV
    # shellcheck disable=SC1090
    source "$ENVFILE"
    dotnet tool restore >/dev/null
    dotnet ef database update --configuration Release --project src/NeighbourHub.Web --context MySqlNeighbourHubDbContext --connection "$NH_DB"
    ;;
  down)
    # shellcheck disable=SC1090
    source "$ENVFILE"
    nh_stop_servers
    ;;
esac
