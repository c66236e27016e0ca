# Sourced by deploy/test.sh (and usable by hand: `source deploy/test-servers.sh; nh_start_servers`).
# Installs MariaDB, Redis and Chromium from Debian packages when missing, and starts private
# MariaDB and Redis servers on loopback in a throw-away directory. No systemd, no Docker.

nh_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

nh_ensure_packages() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation fonts-noto-cjk)
  # Node runs an independent WeChat Pay v3 implementation (npm) that checks our signing and encryption.
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing from Debian packages: ${missing[*]}"
    nh_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive nh_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A free loopback port at or above $1.
nh_free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

nh_start_servers() {
  NH_SERVERS_DIR=$(mktemp -d /tmp/nh-test-servers.XXXXXX)
  chmod 755 "$NH_SERVERS_DIR"
  local d=$NH_SERVERS_DIR
  NH_MYSQL_PORT=$(nh_free_port 33306)
  NH_REDIS_PORT=$(nh_free_port 36379)

  mkdir -p "$d/mysql"
  cat >"$d/my.cnf" <<CNF
[mysqld]
user=mysql
datadir=$d/mysql/data
socket=$d/mysql/mysqld.sock
pid-file=$d/mysql/mysqld.pid
bind-address=127.0.0.1
port=$NH_MYSQL_PORT
log-error=$d/mysql/error.log
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
skip-name-resolve
max_connections=500
innodb_flush_log_at_trx_commit=2
innodb_buffer_pool_size=256M
[client]
socket=$d/mysql/mysqld.sock
user=root
CNF
  chown -R mysql:mysql "$d/mysql" 2>/dev/null || true
  mariadb-install-db --defaults-file="$d/my.cnf" --user=mysql --datadir="$d/mysql/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$d/mysql-install.log" 2>&1
  mariadbd --defaults-file="$d/my.cnf" >"$d/mysqld.out" 2>&1 &
  echo $! >"$d/mysqld.launcher.pid"
  for _ in $(seq 1 100); do
    mariadb-admin --defaults-file="$d/my.cnf" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  mariadb-admin --defaults-file="$d/my.cnf" ping >/dev/null 2>&1 || { cat "$d/mysql/error.log"; return 1; }
  # Tests create and drop their own databases (one per test project), hence the broad grant.
  mariadb --defaults-file="$d/my.cnf" -e "CREATE USER 'nh'@'127.0.0.1' IDENTIFIED BY 'nh-test'; GRANT ALL PRIVILEGES ON *.* TO 'nh'@'127.0.0.1'; FLUSH PRIVILEGES;"

  redis-server --bind 127.0.0.1 --port "$NH_REDIS_PORT" --daemonize yes --pidfile "$d/redis.pid" \
    --dir "$d" --save '' --appendonly no --logfile "$d/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -p "$NH_REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done

  export NH_TEST_MYSQL="Server=127.0.0.1;Port=$NH_MYSQL_PORT;User ID=nh;Password=nh-test"
  export NH_TEST_REDIS="127.0.0.1:$NH_REDIS_PORT"
  export NH_TEST_CHROMIUM=/usr/bin/chromium
  echo "== MariaDB on 127.0.0.1:$NH_MYSQL_PORT, Redis on 127.0.0.1:$NH_REDIS_PORT (files in $d)"
}

nh_stop_servers() {
  local d=${NH_SERVERS_DIR:-}
  [ -n "$d" ] && [ -d "$d" ] || return 0
  [ -f "$d/redis.pid" ] && kill "$(cat "$d/redis.pid")" 2>/dev/null || true
  [ -f "$d/mysql/mysqld.pid" ] && kill "$(cat "$d/mysql/mysqld.pid")" 2>/dev/null || true
  [ -f "$d/mysqld.launcher.pid" ] && wait "$(cat "$d/mysqld.launcher.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$d"
}
