#!/usr/bin/env bash
# pg-test.sh — run a command against a throw-away PostgreSQL cluster.
#
#   scripts/pg-test.sh go test -race -count=1 ./store/postgres/
#   scripts/pg-test.sh            # a shell with the cluster up; exit to stop it
#
# It creates a cluster with initdb in a new temporary directory, starts it
# with pg_ctl on a free port of 127.0.0.1 (and a Unix socket in that
# directory), exports its DSN as KABINET_TEST_POSTGRES, runs the command,
# then stops the cluster and removes the directory, whatever the command
# did. The exit status is the command's.
#
# The server never runs as root: run as root, the script starts it as the
# "postgres" user (created by Debian's packages). PostgreSQL is taken from
# the PATH or /usr/lib/postgresql/<version>/bin; when it is missing and the
# script runs as root on Debian, it installs the "postgresql" package first,
# without the package's own cluster. The cluster is for tests only: it is
# kept in /dev/shm when there is one (KABINET_PG_TMPDIR to choose), fsync
# is off, and anyone on 127.0.0.1 may connect as the "kabinet" superuser.
#
#   KABINET_PG_DURABLE=1 scripts/pg-test.sh go run ./examples/loadtest -mode booking -db both
#
# KABINET_PG_DURABLE=1 is for benchmarks: the cluster keeps PostgreSQL's
# durable defaults (fsync, synchronous_commit and full_page_writes on, so a
# commit waits for its WAL to reach the disk, as SQLite's synchronous=FULL
# waits for its fsync) and lives under $TMPDIR (default /tmp), on the disk
# rather than in memory; KABINET_PG_TMPDIR still chooses another place.
# Without it the cluster is the fast, non-durable one above: right for
# tests, not comparable with SQLite for timings.
set -euo pipefail

log() { echo "pg-test: $*" >&2; }

# find_bin finds the directory of initdb and pg_ctl.
find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is missing: installing Debian's postgresql package"
    # No cluster of the package's own: this script makes its own.
    mkdir -p /etc/postgresql-common
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin || true)
  fi
  if [ -z "$bin" ]; then
    log "initdb and pg_ctl not found (install PostgreSQL, e.g. apt-get install postgresql)"
    exit 1
  fi
fi

# The server's user: ourselves, or "postgres" when we are root.
as_server=()
server_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    log "running as root and there is no postgres user to run the server as"
    exit 1
  fi
  server_user=postgres
  if command -v runuser >/dev/null 2>&1; then
    as_server=(runuser -u postgres --)
  else
    as_server=(su postgres -s /bin/sh -c '"$0" "$@"')
  fi
fi

durable=
case "${KABINET_PG_DURABLE:-}" in
  "" | 0 | false | no) ;;
  *) durable=1 ;;
esac

# The cluster lives in memory (/dev/shm) where there is one: creating a
# database there takes tens of milliseconds instead of hundreds, and the
# tests create one per test. A durable cluster lives on the disk (an fsync
# in memory would measure nothing). KABINET_PG_TMPDIR chooses another place.
base=${KABINET_PG_TMPDIR:-}
if [ -z "$base" ]; then
  if [ -z "$durable" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
fi
dir=$(mktemp -d "$base/kabinet-pg.XXXXXX")
chmod 0755 "$dir"
if [ "$server_user" != "$(id -un)" ]; then
  chown "$server_user" "$dir"
fi

cleanup() {
  local rc=$?
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_server[@]}" "$bin/initdb" -D "$dir/data" -U kabinet --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

# Durability: off for tests (fast), PostgreSQL's defaults with
# KABINET_PG_DURABLE=1 (benchmarks).
if [ -n "$durable" ]; then
  durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
else
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

started=
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  port_free "$port" || continue
  if "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 $durability \
     -c shared_buffers=128MB" >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  log "the server did not start:"
  cat "$dir/server.log" >&2 || true
  exit 1
fi

export KABINET_TEST_POSTGRES="postgres://kabinet@127.0.0.1:$port/postgres?sslmode=disable"
log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') at $KABINET_TEST_POSTGRES (data in $dir, ${durable:+durable: }$durability)"
echo "KABINET_TEST_POSTGRES=$KABINET_TEST_POSTGRES"

set +e
if [ $# -eq 0 ]; then
  log "no command: starting ${SHELL:-/bin/sh}; exit it to stop the cluster"
  "${SHELL:-/bin/sh}"
else
  "$@"
fi
rc=$?
set -e
exit "$rc"
