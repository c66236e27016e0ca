#!/usr/bin/env bash
# Restores a backup from deploy/backup.sh into a FRESH database (never over a live one), then verifies the
# restored copy: the time bank's ledger and the owners' fund balances in SQL, then the app's own verifications
# (the time bank's, and each estate's fund log: Merkle root recomputed, signed head checked) with the release
# running on the restored copy on a private port, all background jobs off and WeChat in the sandbox, so the copy
# sends nothing to anybody.
#
#   deploy/restore.sh <backup-folder> <new-database>
#
# Environment:
#   NH_DB_CLIENT          mariadb client options of an admin (default: root over the local socket)
#   NH_RESTORE_FILES_TO   unpack the uploaded files (Files:Store=Disk) into this folder (default: not unpacked)
#   For the app's verifications (skipped, and said so, without NH_VERIFY_CONNECTION):
#   NH_VERIFY_CONNECTION  connection string to the restored database (…;Database=<new-database>;…)
#   NH_VERIFY_ADMIN / NH_VERIFY_PASSWORD   a platform admin of the restored data
#   NH_RELEASE            the release folder (default /opt/neighbourhub/current)
#   NH_ENV_FILE           the environment file, for the fund's signing keys (default /etc/neighbourhub/neighbourhub.env)
#
# Then point the app at the new database (ConnectionStrings__NeighbourHub), re-run deploy/app-user.sh for it,
# and restart the instances (deploy/README.md, "Restore").
set -euo pipefail
backup=${1:?backup folder (from deploy/backup.sh)}
db=${2:?name of the NEW database to restore into}
read -r -a client <<<"${NH_DB_CLIENT:-}"
sql() { mariadb "${client[@]}" -N -B "$db" -e "$1"; }

(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || { echo "✘ checksums do not match: $backup is damaged" >&2; exit 1; }
if [ -n "$(mariadb "${client[@]}" -N -B -e "SHOW DATABASES LIKE '$db'")" ]; then
  echo "✘ database $db exists: restore into a new one (this script never overwrites)" >&2
  exit 1
fi

echo "== restoring $backup into $db"
mariadb "${client[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
gunzip -c "$backup/database.sql.gz" | mariadb "${client[@]}" "$db"
if [ -n "${NH_RESTORE_FILES_TO:-}" ] && [ -f "$backup/files.tar.gz" ]; then
  mkdir -p "$NH_RESTORE_FILES_TO"
  tar -C "$NH_RESTORE_FILES_TO" -xzf "$backup/files.tar.gz"
  echo "   files unpacked into $NH_RESTORE_FILES_TO"
fi
echo "   $(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()") tables, last migration $(sql "SELECT MAX(MigrationId) FROM __EFMigrationsHistory")"

status=0
check() { # check <what> <SQL counting problems>
  local n; n=$(sql "$2")
  if [ "$n" = "0" ]; then echo "   ✔ $1"; else echo "   ✘ $1: $n problem(s)"; status=1; fi
}
echo "== verifying the restored copy (SQL)"
check "time bank: every transaction's postings sum to zero" \
  "SELECT COUNT(*) FROM (SELECT TransactionId FROM LedgerPostings GROUP BY TransactionId HAVING SUM(Amount) <> 0) x"
check "time bank: all postings sum to zero" \
  "SELECT COUNT(*) FROM (SELECT COALESCE(SUM(Amount), 0) s FROM LedgerPostings) x WHERE s <> 0"
check "time bank: every account's balance equals the sum of its postings, not below its floor" \
  "SELECT COUNT(*) FROM TimeBankAccounts a LEFT JOIN (SELECT AccountId, SUM(Amount) s FROM LedgerPostings GROUP BY AccountId) p ON p.AccountId = a.Id
   WHERE a.Balance <> COALESCE(p.s, 0) OR a.Balance < a.Floor"
check "fund: every estate's balance equals the sum of its entries" \
  "SELECT COUNT(*) FROM FundAccounts a LEFT JOIN (SELECT EstateId, SUM(AmountFen) s FROM FundEntries GROUP BY EstateId) e ON e.EstateId = a.EstateId
   WHERE a.BalanceFen <> COALESCE(e.s, 0)"
check "fund: every estate's entries are numbered 0, 1, 2… without gaps" \
  "SELECT COUNT(*) FROM (SELECT EstateId FROM FundEntries GROUP BY EstateId HAVING MIN(Seq) <> 0 OR MAX(Seq) <> COUNT(*) - 1 OR COUNT(DISTINCT Seq) <> COUNT(*)) x"

if [ -z "${NH_VERIFY_CONNECTION:-}" ]; then
  echo "== NOT run: the app's own verifications (fund log signatures and Merkle roots). Set NH_VERIFY_CONNECTION,"
  echo "   NH_VERIFY_ADMIN and NH_VERIFY_PASSWORD to run them (deploy/README.md, \"Restore\")."
  exit $status
fi

echo "== verifying the restored copy (the app's verifications)"
release=${NH_RELEASE:-/opt/neighbourhub/current}
envfile=${NH_ENV_FILE:-/etc/neighbourhub/neighbourhub.env}
: "${NH_VERIFY_ADMIN:?a platform admin of the restored data}" "${NH_VERIFY_PASSWORD:?its password}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
settings=()
if [ -f "$envfile" ]; then
  # Only the fund's keys from the operator's settings: everything else below keeps this copy to itself.
  while IFS= read -r line; do settings+=("$line"); done < <(grep -E '^Fund__(SigningKeyPath|RetiredKeyPaths__[0-9]+)=' "$envfile" || true)
fi
log=$(mktemp /tmp/nh-restore-verify.XXXXXX.log)
env "${settings[@]}" \
  ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" Instance__Name=restore-verify \
  Database__Provider=MySql ConnectionStrings__NeighbourHub="$NH_VERIFY_CONNECTION" ConnectionStrings__Redis= \
  Jwt__SigningKey="$(head -c 48 /dev/urandom | base64 -w0)" Demo__Seed=false \
  WeChat__AppId= WeChat__Sandbox=true WeChatPay__MchId= WeChatPay__AllowSandboxInProduction=true \
  Outbox__PollSeconds=0 Repairs__Escalation__PollSeconds=0 Notices__PublishPollSeconds=0 Voting__PollSeconds=0 \
  WeChatPay__Reconciliation__PollSeconds=0 Files__Cleanup__PollSeconds=0 Fund__StatementPollMinutes=0 \
  dotnet "$release/NeighbourHub.Web.dll" >"$log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fs -m 5 "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || { echo "✘ the app did not start on the restored copy:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
api() { curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
token=$(curl -fsS -H 'content-type: application/json' "http://127.0.0.1:$port/api/v1/admin/auth/login" \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"userName": sys.argv[1], "password": sys.argv[2]}))' "$NH_VERIFY_ADMIN" "$NH_VERIFY_PASSWORD")" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
result=$(api -X POST "http://127.0.0.1:$port/api/v1/admin/timebank/verify")
if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["valid"] else 1)' "$result"; then
  echo "   ✔ time bank (the app's verification): $result"
else
  echo "   ✘ time bank (the app's verification): $result"; status=1
fi
for estate in $(sql "SELECT EstateId FROM FundAccounts ORDER BY EstateId"); do
  result=$(api "http://127.0.0.1:$port/api/v1/admin/estates/$estate/fund/verify")
  if python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["valid"] and r["headSignatureValid"] else 1)' "$result"; then
    echo "   ✔ fund of estate $estate (log recomputed, head signature valid): $result"
  else
    echo "   ✘ fund of estate $estate: $result"; status=1
  fi
done
[ $status -eq 0 ] && echo "== restored copy $db verifies" || echo "== restored copy $db does NOT verify"
exit $status
