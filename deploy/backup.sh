#!/usr/bin/env bash
# Backs up NeighbourHub: the database (one consistent snapshot, without locking the app out) and the uploaded
# files kept on disk, into a timestamped folder, with checksums. Run it from cron or a systemd timer, as a user
# that may read the database (e.g. root through the socket on the database machine).
#
#   deploy/backup.sh [backup-root]             default /var/backups/neighbourhub
#
# Environment:
#   NH_DB            database name (default neighbourhub)
#   NH_DB_CLIENT     client options for mariadb-dump, e.g. "--defaults-file=/etc/mysql/debian.cnf" or
#                    "-h 10.0.0.4 -u backup -p…"  (default: none; root over the local socket)
#   NH_FILES_DIR     uploaded files on disk (Files:Store=Disk; default /var/lib/neighbourhub/files). With
#                    Files:Store=Database the files are in the dump, and this folder may not exist (skipped).
#   NH_KEEP_DAYS     delete backups older than this many days after a successful backup (default: keep all)
#
# Keys (the fund's signing key, the data-protection certificate, WeChat Pay's keys) are NOT in the backup: keep
# them apart, encrypted (deploy/README.md, "Backups"). A restore without the fund's key still verifies the ledger;
# new heads are then signed with a new key.
set -euo pipefail
root=${1:-/var/backups/neighbourhub}
db=${NH_DB:-neighbourhub}
files=${NH_FILES_DIR:-/var/lib/neighbourhub/files}
read -r -a client <<<"${NH_DB_CLIENT:-}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$root/neighbourhub-$stamp"
umask 077
mkdir -p "$out.partial"

# --single-transaction: one InnoDB snapshot, no table locks (the app keeps writing meanwhile);
# No --databases: the dump names no database, so restore.sh can load it into a fresh one under any name.
# --routines/--triggers/--events: everything in the schema; --hex-blob: file chunks survive any charset.
mariadb-dump "${client[@]}" --single-transaction --quick --routines --triggers --events --hex-blob \
  --default-character-set=utf8mb4 "$db" | gzip -6 >"$out.partial/database.sql.gz"

if [ -d "$files" ]; then
  tar -C "$files" -czf "$out.partial/files.tar.gz" .
else
  echo "no uploaded files on disk at $files (Files:Store=Database keeps them in the dump)" >"$out.partial/files.txt"
fi

{
  echo "database=$db"
  echo "created=$stamp"
  echo "host=$(hostname)"
  mariadb "${client[@]}" -N -B -e "SELECT CONCAT('migration=', MAX(MigrationId)) FROM \`$db\`.__EFMigrationsHistory" 2>/dev/null || true
} >"$out.partial/INFO"
(cd "$out.partial" && sha256sum -- * >SHA256SUMS)
# Only a complete backup gets its final name: a crash half-way leaves a .partial folder, never a short "good" one.
mv "$out.partial" "$out"
echo "backup: $out ($(du -sh "$out" | cut -f1))"

if [ -n "${NH_KEEP_DAYS:-}" ]; then
  find "$root" -maxdepth 1 -type d -name 'neighbourhub-*' ! -name '*.partial' -mtime +"$NH_KEEP_DAYS" -print -exec rm -rf {} +
fi
