#!/usr/bin/env bash
# The kill test (issue #16), run by deploy/test.sh: MariaDB, Redis, nginx (Debian package) with THE site file
# deploy/nginx/neighbourhub.conf rendered for loopback ports, and three published app instances, migrated with
# the release's migration bundle. A mixed load goes through nginx (tests/NeighbourHub.KillTest) while one
# instance is SIGKILLed and restarted, MariaDB is restarted, and Redis is killed and restarted; then the database
# must show that nothing was lost or doubled. Finally the database is backed up (deploy/backup.sh), restored into
# a fresh one (deploy/restore.sh) and the restored copy verified.
#   deploy/kill-test.sh            builds what it needs (NH_NO_BUILD=1: use the Release build already there)
#   NH_KILL_RELEASE=out/release deploy/kill-test.sh     test a release folder already built
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=deploy/test-servers.sh
source deploy/test-servers.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$(date +%s)
step() { echo "== [$(($(date +%s) - started)) s] $*"; }

nh_ensure_packages
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  step "installing nginx from Debian packages"
  nh_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive nh_sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/nh-kill-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pidfile in "$work"/instance-*.pid; do [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true; done
  nh_stop_servers
  if [ "${NH_KEEP_KILL_TEST:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
nh_start_servers
# Helpers and CI jobs on one machine may race for a "free" port: make sure the Redis on NH_REDIS_PORT is OURS
# (this run kills and restarts it), else start our own on another port.
if ! { [ -f "$NH_SERVERS_DIR/redis.pid" ] && kill -0 "$(cat "$NH_SERVERS_DIR/redis.pid")" 2>/dev/null; }; then
  NH_REDIS_PORT=$(nh_free_port $((NH_REDIS_PORT + 101)))
  redis-server --bind 127.0.0.1 --port "$NH_REDIS_PORT" --daemonize yes --pidfile "$NH_SERVERS_DIR/redis.pid" \
    --dir "$NH_SERVERS_DIR" --save '' --appendonly no --logfile "$NH_SERVERS_DIR/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$NH_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export NH_TEST_REDIS="127.0.0.1:$NH_REDIS_PORT"
  echo "== Redis moved to 127.0.0.1:$NH_REDIS_PORT (the first port was taken)"
fi
db=nh_kill
mariadb --defaults-file="$NH_SERVERS_DIR/my.cnf" -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
connection="$NH_TEST_MYSQL;Database=$db;AllowUserVariables=True;UseAffectedRows=False"

if [ -n "${NH_KILL_RELEASE:-}" ]; then
  step "release: the one in $NH_KILL_RELEASE (from deploy/build-release.sh)"
  cp -a "$NH_KILL_RELEASE" "$work/release"
else
  step "release: the app published once, and the migration bundle (deploy/build-release.sh)"
  deploy/build-release.sh "$work/release" >"$work/build-release.log" 2>&1 || { tail -30 "$work/build-release.log"; exit 1; }
fi
if [ "${NH_NO_BUILD:-}" != 1 ] || [ ! -f tests/NeighbourHub.KillTest/bin/Release/net10.0/NeighbourHub.KillTest.dll ]; then
  dotnet build tests/NeighbourHub.KillTest -c Release -nologo -clp:ErrorsOnly >"$work/build-driver.log" 2>&1 || { tail -30 "$work/build-driver.log"; exit 1; }
fi

step "migrate with the bundle (the release's deploy/migrate.sh)"
ConnectionStrings__NeighbourHub="$connection" "$work/release/deploy/migrate.sh" >"$work/migrate.log" 2>&1 || { tail -30 "$work/migrate.log"; exit 1; }
grep -q "bundle" "$work/migrate.log" || { echo "migrate.sh did not use the bundle"; cat "$work/migrate.log"; exit 1; }

step "nginx with deploy/nginx/neighbourhub.conf on loopback"
ports=()
p=15101
for _ in 1 2 3; do p=$(nh_free_port "$p"); ports+=("$p"); p=$((p + 1)); done
http_port=$(nh_free_port 18080)
https_port=$(nh_free_port 18443)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=nh.example.com \
  -keyout "$work/tls.key" -out "$work/tls.crt" >/dev/null 2>&1
servers=""
for port in "${ports[@]}"; do servers+="    server 127.0.0.1:$port max_fails=2 fail_timeout=10s;\\n"; done
# The operator's file, with only the lines marked @test replaced: upstream servers, listen addresses, certificate.
sed -e "/# @test-api\$/d" -e "/# @test-console\$/d" -e "/# @test-http6\$/d" -e "/# @test-https6\$/d" \
  -e "s|^upstream neighbourhub_api {|&\\n$servers|" \
  -e "s|^    ip_hash;|&\\n$servers|" \
  -e "s|^\( *\)listen 80; *# @test-http\$|\\1listen 127.0.0.1:$http_port;|" \
  -e "s|^\( *\)listen 443 ssl http2; *# @test-https\$|\\1listen 127.0.0.1:$https_port ssl http2;|" \
  -e "s|/etc/ssl/certs/neighbourhub.crt;|$work/tls.crt;|" -e "s|/etc/ssl/private/neighbourhub.key;|$work/tls.key;|" \
  deploy/nginx/neighbourhub.conf >"$work/site.conf"
grep -q "server 127.0.0.1:${ports[2]}" "$work/site.conf" && ! grep -qE '# @test-(api|console|http6?|https6?)$' "$work/site.conf" &&
  grep -q "$work/tls.key" "$work/site.conf" || { echo "rendering the nginx site failed"; exit 1; }
mkdir -p "$work/nginx-tmp"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/nginx-tmp/body;
    proxy_temp_path $work/nginx-tmp/proxy;
    fastcgi_temp_path $work/nginx-tmp/fastcgi;
    uwsgi_temp_path $work/nginx-tmp/uwsgi;
    scgi_temp_path $work/nginx-tmp/scgi;
    include $work/site.conf;
}
CONF
"$nginx_bin" -t -q -c "$work/nginx.conf" -p "$work"
"$nginx_bin" -c "$work/nginx.conf" -p "$work"
# The site hides /health from outside; an instance's own port answers it.
code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$https_port/health/ready")
[ "$code" = 404 ] || { echo "nginx served /health/ready to the outside ($code)"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/api/v1/events")
[ "$code" = 301 ] || { echo "plain http did not redirect to https ($code)"; exit 1; }

# What the driver runs to restart MariaDB and to kill and restart Redis (the servers of this script).
d=$NH_SERVERS_DIR
cat >"$work/db-stop.sh" <<S
pid=\$(cat $d/mysql/mysqld.pid); kill \$pid; while kill -0 \$pid 2>/dev/null; do sleep 0.1; done
S
cat >"$work/db-start.sh" <<S
mariadbd --defaults-file=$d/my.cnf >>$d/mysqld.out 2>&1 &
for _ in \$(seq 1 100); do mariadb-admin --defaults-file=$d/my.cnf ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1
S
cat >"$work/redis-stop.sh" <<S
pid=\$(cat $d/redis.pid); kill -9 \$pid; while kill -0 \$pid 2>/dev/null; do sleep 0.1; done; rm -f $d/redis.pid
S
cat >"$work/redis-start.sh" <<S
redis-server --bind 127.0.0.1 --port $NH_REDIS_PORT --daemonize yes --pidfile $d/redis.pid --dir $d --save '' --appendonly no --logfile $d/redis.log
for _ in \$(seq 1 50); do redis-cli -p $NH_REDIS_PORT ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1
S

step "load through nginx: an instance SIGKILLed, MariaDB restarted, Redis killed"
status=0
NH_KILL_NGINX="https://127.0.0.1:$https_port" NH_KILL_APP="$work/release/NeighbourHub.Web.dll" \
  NH_KILL_PORTS="$(IFS=,; echo "${ports[*]}")" NH_KILL_DB="$connection" NH_KILL_DIR="$work" NH_KILL_CERT="$work/tls.crt" \
  NH_KILL_DB_STOP="$work/db-stop.sh" NH_KILL_DB_START="$work/db-start.sh" \
  NH_KILL_REDIS_STOP="$work/redis-stop.sh" NH_KILL_REDIS_START="$work/redis-start.sh" \
  ASPNETCORE_TEST_CONTENTROOT_NEIGHBOURHUB_WEB="$root/src/NeighbourHub.Web" \
  dotnet tests/NeighbourHub.KillTest/bin/Release/net10.0/NeighbourHub.KillTest.dll 2>&1 | tee "$work/driver.log" || status=1
if [ $status -ne 0 ]; then
  # The work directory goes at exit: print what explains a failure (every error an instance logged, then its last
  # lines) and keep the logs where the next person can read them whole.
  kept=/tmp/nh-kill-test-logs.$(date +%Y%m%d-%H%M%S)
  mkdir -p "$kept" && cp "$work"/*.log "$kept"/ 2>/dev/null || true
  for log in "$work"/instance-*.log; do
    [ -f "$log" ] || continue
    echo "--- $log: $(wc -l <"$log") lines; errors and failures:"
    # Cut to 600 characters a line: a CI log shows only its tail, and whole JSON lines pushed the failed checks out.
    grep -E '"LogLevel":"(Error|Critical)"|Unhandled|fail:' "$log" | head -n 40 | cut -c1-600 || true
    echo "--- $log (last lines)"
    tail -n 15 "$log" | cut -c1-600
  done
  echo "== the instances' and nginx's logs are kept in $kept"
fi

step "backup (deploy/backup.sh), restore into a fresh database (deploy/restore.sh), verify the copy"
mkdir -p "$work/files" && echo "一张照片" >"$work/files/example.txt"
NH_DB=$db NH_DB_CLIENT="--defaults-file=$d/my.cnf" NH_FILES_DIR="$work/files" NH_KEEP_DAYS=30 \
  deploy/backup.sh "$work/backups" || status=1
backup=$(ls -d "$work"/backups/neighbourhub-* | head -1)
printf 'Fund__SigningKeyPath=%s\n' "$work/fund-signing.pem" >"$work/restore.env"
NH_DB_CLIENT="--defaults-file=$d/my.cnf" NH_RESTORE_FILES_TO="$work/restored-files" \
  NH_VERIFY_CONNECTION="$NH_TEST_MYSQL;Database=nh_restored;AllowUserVariables=True;UseAffectedRows=False" \
  NH_VERIFY_ADMIN=platform NH_VERIFY_PASSWORD='Test@12345' NH_RELEASE="$work/release" NH_ENV_FILE="$work/restore.env" \
  deploy/restore.sh "$backup" nh_restored || status=1
cmp -s "$work/files/example.txt" "$work/restored-files/example.txt" || { echo "✘ uploaded files did not come back"; status=1; }
for table in Payments FundEntries LedgerPostings EventSignups Repairs; do
  a=$(mariadb --defaults-file="$d/my.cnf" -N -B -e "SELECT COUNT(*) FROM $db.$table")
  b=$(mariadb --defaults-file="$d/my.cnf" -N -B -e "SELECT COUNT(*) FROM nh_restored.$table")
  [ "$a" = "$b" ] && echo "   ✔ $table: $b rows in the copy" || { echo "   ✘ $table: $a rows, $b in the copy"; status=1; }
done
# A restore never overwrites: into an existing database it must refuse.
if NH_DB_CLIENT="--defaults-file=$d/my.cnf" deploy/restore.sh "$backup" nh_restored >/dev/null 2>&1; then
  echo "✘ restore.sh restored over an existing database"; status=1
fi

if [ $status -ne 0 ] && [ -f "$work/driver.log" ]; then
  echo "== what failed (again, last, so that the tail of a CI log shows it):"
  grep -E '^  FAIL|answers; failed|^    [a-z]+ +failed' "$work/driver.log" | cut -c1-600 || true
fi
step "kill test $([ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
