#!/usr/bin/env bash
# Start or stop a private PostgreSQL cluster and Redis on loopback, for the test suite.
#   scripts/services.sh install | start | stop | env | replica-start | replica-stop
# Ports default to 54329 (PostgreSQL) and 63799 (Redis) so that system services on the default
# ports do not matter. PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user. Data lives in a throw-away folder under /tmp (fsync off: test data only).
set -euo pipefail

PG_PORT=${YV_PG_PORT:-54329}
REDIS_PORT=${YV_REDIS_PORT:-63799}
STATE_DIR=${YV_SERVICES_DIR:-/tmp/youthvoice-services-$(id -u)-$PG_PORT}
PG_DATA=$STATE_DIR/pg
PG_USER=youthvoice

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

install() {
  local need=()
  pg_bin >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  if [ "${YV_E2E:-1}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
  ls /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc >/dev/null 2>&1 || need+=(fonts-noto-cjk)  # PDF forms
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # PDF form tests
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing ${need[*]} (apt)…"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the system services after installing them; we run our own on other ports.
  fi
}

run_pg() {  # run a PostgreSQL binary as the owner of the cluster
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  install
  local bin; bin=$(pg_bin)
  mkdir -p "$STATE_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$STATE_DIR"; chmod 755 "$STATE_DIR"; fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    run_pg "$bin/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    run_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  fi
  run_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='youthvoice'" | grep -q 1 \
    || run_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" youthvoice
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$STATE_DIR" --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
}

stop() {
  local bin; bin=$(pg_bin) || true
  if [ -n "${bin:-}" ] && [ -s "$PG_DATA/PG_VERSION" ]; then
    run_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

# A streaming read replica of the cluster on loopback (bench/pages.py --replica, docs/capacity.md):
# pg_basebackup -R from the running primary (initdb's default pg_hba trusts replication from
# 127.0.0.1), then a hot standby on YV_PG_REPLICA_PORT (default: the primary's port + 1).
REPLICA_PORT=${YV_PG_REPLICA_PORT:-$((PG_PORT + 1))}
REPLICA_DATA=$STATE_DIR/replica

replica_start() {
  local bin; bin=$(pg_bin)
  if [ ! -s "$REPLICA_DATA/PG_VERSION" ]; then
    mkdir -p "$REPLICA_DATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$REPLICA_DATA"; fi
    chmod 700 "$REPLICA_DATA"
    run_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -D "$REPLICA_DATA" -R -X stream -c fast 2>&1 | { grep -v "skipping special file" || true; }
  fi
  if ! run_pg "$bin/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1; then
    run_pg "$bin/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_DATA/server.log" -w -t 60 start \
      -o "-p $REPLICA_PORT -k $REPLICA_DATA -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=200" >/dev/null
  fi
  echo "PostgreSQL replica on 127.0.0.1:$REPLICA_PORT (streaming from $PG_PORT)"
}

replica_stop() {
  local bin; bin=$(pg_bin) || true
  if [ -n "${bin:-}" ] && [ -s "$REPLICA_DATA/PG_VERSION" ]; then
    run_pg "$bin/pg_ctl" -D "$REPLICA_DATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$REPLICA_DATA"
  fi
}

env_vars() {
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/youthvoice"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_vars ;;
  replica-start) replica_start ;;
  replica-stop) replica_stop ;;
  *) echo "usage: $0 install|start|stop|env|replica-start|replica-stop" >&2; exit 2 ;;
esac
