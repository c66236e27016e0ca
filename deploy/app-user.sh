#!/usr/bin/env bash
# Creates (or refreshes) the database user the app runs as in production, with everything it needs and one
# thing it must not have: UPDATE or DELETE on the append-only tables of the owners' fund and its transparency
# log. Even a bug, or someone with the app's credentials, then cannot rewrite the ledger in place; what remains
# (a DBA with more rights) is what the signed heads and the owners' saved heads are for.
#
#   deploy/app-user.sh <database> <user> <password> [host]      # run as a MariaDB admin, after deploy/migrate.sh
#
# Re-run it after every migration: grants are per table, so new tables need theirs.
set -euo pipefail
db=${1:?database name}; user=${2:?user name}; password=${3:?password}; host=${4:-%}
append_only="'FundEntries','TransparencyNodes','TransparencyHeads'"
client=${MARIADB_CLIENT:-mariadb} # e.g. "mariadb --defaults-file=/etc/mysql/debian.cnf"

{
  echo "CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY '${password}';"
  echo "ALTER USER '${user}'@'${host}' IDENTIFIED BY '${password}';"
  # Start from nothing, so a table that became append-only loses the rights it had.
  echo "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '${user}'@'${host}';"
  echo "GRANT SELECT, INSERT ON \`${db}\`.* TO '${user}'@'${host}';"
  $client -N -B -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '${db}' AND table_type = 'BASE TABLE'
                         AND table_name NOT IN (${append_only}) AND table_name <> '__EFMigrationsHistory'" |
    while read -r table; do
      echo "GRANT UPDATE, DELETE ON \`${db}\`.\`${table}\` TO '${user}'@'${host}';"
    done
} | $client
echo "User ${user}@${host}: SELECT and INSERT everywhere in ${db}; UPDATE and DELETE everywhere except ${append_only}."
