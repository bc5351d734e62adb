#!/usr/bin/env bash
# Weft development infrastructure: PostgreSQL 15 + pgvector, Redis, NATS (JetStream).
#
#   scripts/infra/infra.sh ensure   make all three available; the last lines on stdout are
#                                      DATABASE_URL=postgres://...
#                                      REDIS_URL=redis://...
#                                      NATS_URL=nats://...
#                                   then, for the project-local NATS (which requires authentication),
#                                      NATS_CREDENTIALS_DIR=<repo>/.weft/nats-auth
#                                   (also written to <repo>/.weft/infra.env). Progress goes to stderr.
#   scripts/infra/infra.sh stop     stop the project-local instances that `ensure` started (only those)
#   scripts/infra/infra.sh status   one line per component: up/down, ours/external, URL
#
# A component whose URL variable (DATABASE_URL, REDIS_URL, NATS_URL) is already set is only checked,
# never installed, started or stopped. Otherwise a project-local instance is used, bound to 127.0.0.1,
# with everything under <repo>/.weft/ (pg/, redis/, nats/ data; log/; run/ for pid files).
#
# Knobs: WEFT_PG_PORT (5432), WEFT_REDIS_PORT (6379), WEFT_NATS_PORT (4222),
#        WEFT_NATS_MONITOR_PORT (8222), WEFT_INFRA_WAIT_SECS (30),
#        WEFT_INFRA_ASSUME_NO_APT=1 (behave as if packages cannot be installed; for testing).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
WEFT_DIR=$REPO_ROOT/.weft
RUN_DIR=$WEFT_DIR/run
LOG_DIR=$WEFT_DIR/log
STARTED_FILE=$RUN_DIR/started
ENV_FILE=$WEFT_DIR/infra.env
LOCK_FILE=$RUN_DIR/infra.lock

PG_PORT=${WEFT_PG_PORT:-5432}
REDIS_PORT=${WEFT_REDIS_PORT:-6379}
NATS_PORT=${WEFT_NATS_PORT:-4222}
NATS_MONITOR_PORT=${WEFT_NATS_MONITOR_PORT:-8222}
WAIT_SECS=${WEFT_INFRA_WAIT_SECS:-30}

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
PG_LIB=/usr/lib/postgresql/$PG_MAJOR/lib
PG_DATA=$WEFT_DIR/pg/data
PG_RUN=$RUN_DIR/pg                 # owned by the postgres OS user: pid file (+ socket)
PG_PIDFILE=$PG_RUN/postgres.pid
PG_LOG=$LOG_DIR/postgres.log
PG_LOCAL_URL="postgres://weft:weft@127.0.0.1:$PG_PORT/weft"

REDIS_DATA=$WEFT_DIR/redis
REDIS_PIDFILE=$RUN_DIR/redis.pid
REDIS_LOG=$LOG_DIR/redis.log
REDIS_LOCAL_URL="redis://127.0.0.1:$REDIS_PORT"

NATS_DATA=$WEFT_DIR/nats
NATS_PIDFILE=$RUN_DIR/nats.pid
NATS_LOG=$LOG_DIR/nats.log
NATS_OUT=$LOG_DIR/nats.stdout.log  # anything nats-server prints before its own log file is open
NATS_LOCAL_URL="nats://127.0.0.1:$NATS_PORT"
NATS_AUTH_DIR=$WEFT_DIR/nats-auth   # NKey seeds of the services and the server's authorization block
NATS_AUTH_SUM=$RUN_DIR/nats.auth.sum # checksum of the block the running instance was started with
OUT_NATS_CREDENTIALS_DIR=

POLICY_RC_D=/usr/sbin/policy-rc.d
PGVECTOR_SRC_LIST=/etc/apt/sources.list.d/weft-pgvector-src.sources

# Postgres refuses to run as root, so as root we run it as the `postgres` system user; any other
# user simply runs it as themselves.
if [[ $(id -u) -eq 0 ]]; then PG_OS_USER=postgres; else PG_OS_USER=$(id -un 2>/dev/null || id -u); fi

# Unix socket paths are limited to ~107 bytes; a deep checkout would make initdb/pg_ctl fail.
if (( ${#PG_RUN} + ${#PG_PORT} + 10 > 100 )); then
  PG_SOCK_DIR=/tmp/weft-pg-$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)
else
  PG_SOCK_DIR=$PG_RUN
fi

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

log_tail() { # file: show the end of a log when something did not come up
  if [[ -f $1 ]]; then
    printf '[infra] --- last lines of %s ---\n' "$1" >&2
    tail -n 30 -- "$1" >&2 || true
    printf '[infra] ---\n' >&2
  fi
}

check_port_var() { # name value
  if ! [[ $2 =~ ^[0-9]+$ ]] || (( $2 < 1 || $2 > 65535 )); then
    die "$1 must be a TCP port number, got '$2'"
  fi
}

# Bounded poll instead of fixed sleeps: returns as soon as "$@" succeeds.
wait_until() { # seconds cmd...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    (( SECONDS >= deadline )) && return 1
    sleep 0.2
  done
}

# The probes below run in a child bash (so `timeout` can bound a hanging connect); their
# single-quoted bodies expand $1, $2... there, on purpose.
# shellcheck disable=SC2016
tcp_open() { # host port
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# The first thing a NATS server sends on connect is an INFO line (also on TLS ports).
# shellcheck disable=SC2016
nats_info_ok() { # host port
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r line <&3 && [[ $line == INFO* ]]' \
    _ "$1" "$2" 2>/dev/null
}

# RESP over bash /dev/tcp so that checking an external Redis needs no redis-cli. Prints the reply.
# shellcheck disable=SC2016
redis_ping() { # host port [user] [password]
  LC_ALL=C timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 2
    resp() { printf "*%d\r\n" "$#"; local a; for a in "$@"; do printf "\$%d\r\n%s\r\n" "${#a}" "$a"; done; }
    if [[ -n $4 ]]; then
      if [[ -n $3 ]]; then resp AUTH "$3" "$4" >&3; else resp AUTH "$4" >&3; fi
      IFS= read -r line <&3; line=${line%%[[:space:]]}
      [[ $line == +OK ]] || { printf "%s\n" "$line"; exit 1; }
    fi
    resp PING >&3
    IFS= read -r line <&3; line=${line%%[[:space:]]}
    printf "%s\n" "$line"
    [[ $line == +PONG ]]' _ "$1" "$2" "${3:-}" "${4:-}" 2>/dev/null
}

urldecode() { local s=${1//+/ }; printf '%b' "${s//%/\\x}"; }

# Splits scheme://[user[:pass]@]host[:port][/...] (first entry of a comma-separated list, as NATS
# allows) into the globals U_HOST U_PORT U_USER U_PASS.
parse_url() { # url default_port
  local rest=${1%%,*} auth="" hostport
  rest=${rest#*://}
  rest=${rest%%[/?#]*}
  if [[ $rest == *@* ]]; then auth=${rest%@*}; hostport=${rest##*@}; else hostport=$rest; fi
  U_USER=""; U_PASS=""
  if [[ -n $auth ]]; then
    if [[ $auth == *:* ]]; then U_USER=$(urldecode "${auth%%:*}"); U_PASS=$(urldecode "${auth#*:}")
    else U_USER=$(urldecode "$auth"); fi
  fi
  if [[ $hostport == \[* ]]; then
    U_HOST=${hostport%%]*}; U_HOST=${U_HOST#[}; U_PORT=${hostport#*]}; U_PORT=${U_PORT#:}
  else
    U_HOST=${hostport%%:*}; U_PORT=${hostport#"$U_HOST"}; U_PORT=${U_PORT#:}
  fi
  U_HOST=${U_HOST:-localhost}; U_PORT=${U_PORT:-$2}
}

# Debian puts nats-server in /usr/sbin, which a non-root user's PATH usually lacks.
# (`command -v` is not used: bash returns a non-executable match when it finds nothing better.)
find_bin() { # name: prints the path, or fails
  local d dirs
  IFS=: read -r -a dirs <<<"${PATH:-}"
  for d in "${dirs[@]}" /usr/local/sbin /usr/sbin /sbin /usr/bin; do
    [[ -n $d && -f $d/$1 && -x $d/$1 ]] && { printf '%s\n' "$d/$1"; return 0; }
  done
  return 1
}

redact() { printf '%s\n' "$1" | sed -E 's#(://[^:/@]*:)[^@/]*@#\1***@#'; }

# kill -0 alone is not enough: a killed daemon can linger as a zombie when PID 1 is not a reaping
# init (as in some containers/VMs), and a dead child of ours is a zombie until we wait for it.
pid_running() { # pid
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != [ZX] ]]
}

# Echoes the pid recorded in a pid file if that process is alive and is the expected program;
# otherwise fails. This is what makes a running instance "ours".
live_pid() { # pidfile comm
  local pid comm
  [[ -r $1 ]] || return 1
  pid=$(head -n1 -- "$1" 2>/dev/null | tr -dc '0-9') || return 1
  [[ -n $pid ]] && pid_running "$pid" || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$2" ]] || return 1
  printf '%s\n' "$pid"
}

wait_pid_gone() { # pid seconds
  local deadline=$((SECONDS + $2))
  while pid_running "$1"; do
    (( SECONDS >= deadline )) && return 1
    sleep 0.2
  done
}

record_started() { # name
  touch -- "$STARTED_FILE"
  grep -qx -- "$1" "$STARTED_FILE" || printf '%s\n' "$1" >>"$STARTED_FILE"
}
is_started() { [[ -f $STARTED_FILE ]] && grep -qx -- "$1" "$STARTED_FILE"; }
unrecord_started() {
  [[ -f $STARTED_FILE ]] || return 0
  local rest; rest=$(grep -vx -- "$1" "$STARTED_FILE" || true)
  if [[ -n $rest ]]; then printf '%s\n' "$rest" >"$STARTED_FILE"; else rm -f -- "$STARTED_FILE"; fi
}

# ensure/stop serialise on this lock (parallel test targets may call `ensure` at the same time).
# Daemons are started with 9>&- so they never inherit, and thus never hold, the lock.
take_lock() {
  exec 9>>"$LOCK_FILE"
  flock -w 900 9 || die "timed out waiting for another infra.sh run (lock $LOCK_FILE)"
}

port_taken_die() { # port what urlvar portvar example_url
  die "port $1 on 127.0.0.1 is already in use by something infra.sh did not start, so the project-local $2 cannot use it. Either point Weft at that server by setting $3 (e.g. $3=$5), or pick a free port for the local $2 with $4=<port>."
}

make_dirs() {
  mkdir -p -- "$WEFT_DIR" "$RUN_DIR" "$LOG_DIR"
}

# ---------------------------------------------------------------------------------------------
# what is missing, and installing it
# ---------------------------------------------------------------------------------------------
MISSING_PKGS=()
MISSING_ITEMS=()
NEED_PGVECTOR=0

add_missing() { # package description
  local p
  for p in "${MISSING_PKGS[@]}"; do [[ $p == "$1" ]] && return 0; done
  MISSING_PKGS+=("$1")
  MISSING_ITEMS+=("$2 (Debian package: $1)")
}

# Only components that need a project-local instance (URL variable unset) count.
detect_missing() {
  MISSING_PKGS=(); MISSING_ITEMS=(); NEED_PGVECTOR=0
  local b
  if [[ -z ${DATABASE_URL:-} ]]; then
    for b in postgres initdb pg_ctl; do
      [[ -x $PG_BIN/$b ]] || { add_missing postgresql-$PG_MAJOR "PostgreSQL $PG_MAJOR server ($PG_BIN/$b)"; break; }
    done
    for b in psql pg_isready; do
      [[ -x $PG_BIN/$b ]] || { add_missing postgresql-client-$PG_MAJOR "PostgreSQL $PG_MAJOR client ($PG_BIN/$b)"; break; }
    done
    if [[ ! -f $PG_SHARE/extension/vector.control || ! -f $PG_LIB/vector.so ]]; then
      NEED_PGVECTOR=1
      MISSING_ITEMS+=("pgvector for PostgreSQL $PG_MAJOR ($PG_SHARE/extension/vector.control; Debian 12 has no package: install postgresql-server-dev-$PG_MAJOR build-essential dpkg-dev, get the source (e.g. 'apt-get source pgvector' from a trixie deb-src entry, or a pgvector release), then 'make PG_CONFIG=$PG_BIN/pg_config && make install PG_CONFIG=$PG_BIN/pg_config')")
    fi
  fi
  if [[ -z ${REDIS_URL:-} ]]; then
    if ! find_bin redis-server >/dev/null; then add_missing redis-server "redis-server and redis-cli"
    elif ! find_bin redis-cli >/dev/null; then add_missing redis-tools "redis-cli"; fi
  fi
  if [[ -z ${NATS_URL:-} ]]; then
    find_bin nats-server >/dev/null || add_missing nats-server "nats-server 2.9+ with JetStream"
  fi
}

why_cannot_install() { # prints a reason, or nothing when installing is possible
  if [[ ${WEFT_INFRA_ASSUME_NO_APT:-0} == 1 ]]; then echo "WEFT_INFRA_ASSUME_NO_APT=1 is set"
  elif [[ $(id -u) -ne 0 ]]; then echo "not running as root (uid $(id -u), $(id -un))"
  elif ! command -v apt-get >/dev/null; then echo "apt-get is not available"
  fi
}

missing_message() { # reason
  local item msg
  msg="cannot provide the project-local services: $1, so nothing was installed. Missing:"
  for item in "${MISSING_ITEMS[@]}"; do msg+=$'\n'"  - $item"; done
  msg+=$'\n'"Fix it in one of these ways:"
  if (( ${#MISSING_PKGS[@]} )); then
    msg+=$'\n'"  - as root: apt-get install -y --no-install-recommends ${MISSING_PKGS[*]}"
  fi
  if (( NEED_PGVECTOR )); then
    msg+=$'\n'"  - install pgvector for PostgreSQL $PG_MAJOR (as root, re-running 'scripts/infra/infra.sh ensure' builds it from Debian trixie sources)"
  fi
  msg+=$'\n'"  - or point Weft at existing servers by setting:"
  [[ -n ${DATABASE_URL:-} ]] || msg+=$'\n'"      DATABASE_URL=postgres://user:pass@host:5432/db   (PostgreSQL 15+ with pgvector)"
  [[ -n ${REDIS_URL:-} ]] || msg+=$'\n'"      REDIS_URL=redis://host:6379"
  [[ -n ${NATS_URL:-} ]] || msg+=$'\n'"      NATS_URL=nats://host:4222   (JetStream enabled)"
  printf '%s' "$msg"
}

# Debian maintainer scripts would otherwise start system postgres/redis/nats on 5432/6379/4222.
POLICY_RC_D_ACTIVE=0
POLICY_RC_D_BACKUP=""
policy_rc_d_install() {
  if [[ -e $POLICY_RC_D ]]; then
    POLICY_RC_D_BACKUP=$(mktemp)
    cp -p -- "$POLICY_RC_D" "$POLICY_RC_D_BACKUP"
  fi
  POLICY_RC_D_ACTIVE=1
  printf '#!/bin/sh\n# written by weft scripts/infra/infra.sh during a package install\nexit 101\n' >"$POLICY_RC_D"
  chmod 755 "$POLICY_RC_D"
}
policy_rc_d_restore() {
  (( POLICY_RC_D_ACTIVE )) || return 0
  if [[ -n $POLICY_RC_D_BACKUP ]]; then
    cp -p -- "$POLICY_RC_D_BACKUP" "$POLICY_RC_D" && rm -f -- "$POLICY_RC_D_BACKUP"
  else
    rm -f -- "$POLICY_RC_D"
  fi
  POLICY_RC_D_ACTIVE=0
}

CLEANUP_DIRS=()
on_exit() {
  policy_rc_d_restore || true
  local d
  for d in "${CLEANUP_DIRS[@]}"; do rm -rf -- "$d"; done
}
trap on_exit EXIT

apt_update() {
  log "apt-get update"
  apt-get update -q >&2 || die "apt-get update failed"
}

apt_install() { # packages...
  local out status=0
  # Stale or absent lists show up as "no candidate"/404s; only then is an update worth its time.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt package lists look empty"
    apt_update
  fi
  log "apt-get install $*"
  out=$(mktemp)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" 2>&1 \
    | tee "$out" >&2 || status=$?
  if (( status )) && grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch|404 +Not Found' "$out"; then
    rm -f -- "$out"
    log "install failed for lack of a candidate; refreshing package lists and retrying"
    apt_update
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >&2 || status=$?
  fi
  rm -f -- "$out"
  (( status == 0 )) || die "apt-get install $* failed (exit $status)"
}

# Debian 12 has no pgvector binary package, but trixie's source package builds fine against 15.
install_pgvector() {
  local build_log=$LOG_DIR/pgvector-build.log tmp dir pg_config=$PG_BIN/pg_config started=$SECONDS
  log "pgvector: not installed for PostgreSQL $PG_MAJOR; building it from Debian trixie sources (log: $build_log)"
  apt_install "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev
  cat >"$PGVECTOR_SRC_LIST" <<'EOF'
# Added by weft scripts/infra/infra.sh only to fetch the pgvector source package (Debian 12 has
# no pgvector binary package). Removed again after a successful build.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_update
  tmp=$(mktemp -d)
  CLEANUP_DIRS+=("$tmp")
  : >"$build_log"
  # Sandbox::User=root: the _apt user cannot write into a root-owned 0700 temp dir.
  if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root source pgvector) >>"$build_log" 2>&1; then
    log_tail "$build_log"; die "apt-get source pgvector failed"
  fi
  dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
  [[ -n $dir ]] || { log_tail "$build_log"; die "pgvector source not found after apt-get source"; }
  log "pgvector: building $(basename -- "$dir")"
  # OPTFLAGS='' drops -march=native, so the installed library does not depend on this exact CPU.
  if ! { make -C "$dir" -j"$(nproc)" PG_CONFIG="$pg_config" OPTFLAGS="" \
         && make -C "$dir" install PG_CONFIG="$pg_config" OPTFLAGS=""; } >>"$build_log" 2>&1; then
    log_tail "$build_log"; die "building pgvector failed"
  fi
  rm -f -- "$PGVECTOR_SRC_LIST"
  [[ -f $PG_SHARE/extension/vector.control && -f $PG_LIB/vector.so ]] \
    || die "pgvector build finished but $PG_SHARE/extension/vector.control or $PG_LIB/vector.so is missing"
  log "pgvector: installed ($(grep -E '^default_version' "$PG_SHARE/extension/vector.control" | tr -d "' ")) in $((SECONDS - started))s"
}

# The code sandbox (docs/security.md): bubblewrap confines code nodes, Debian's CPython with libseccomp runs
# Python code and compiles the seccomp filters. Without them the node runner refuses code nodes and says why,
# so a machine where they cannot be installed gets a warning here rather than no platform at all.
SANDBOX_PYTHON=${CODE_PYTHON_PATH:-/usr/bin/python3}
missing_sandbox_packages() {
  local pkgs=()
  [[ -x ${CODE_SANDBOX_BWRAP_PATH:-/usr/bin/bwrap} ]] || pkgs+=(bubblewrap)
  if [[ ! -x $SANDBOX_PYTHON ]]; then pkgs+=(python3 python3-seccomp)
  elif ! "$SANDBOX_PYTHON" -I -c 'import seccomp' >/dev/null 2>&1; then pkgs+=(python3-seccomp); fi
  (( ${#pkgs[@]} == 0 )) || printf '%s\n' "${pkgs[@]}"
}
ensure_sandbox_tools() {
  local pkgs reason
  mapfile -t pkgs < <(missing_sandbox_packages)
  (( ${#pkgs[@]} )) || return 0
  reason=$(why_cannot_install)
  if [[ -n $reason ]]; then
    log "WARNING: the code sandbox needs ${pkgs[*]} and they cannot be installed ($reason); code nodes will be refused until they are (as root: apt-get install -y ${pkgs[*]})"
    return 0
  fi
  apt_install "${pkgs[@]}"
}

install_missing() {
  ensure_sandbox_tools
  detect_missing
  (( ${#MISSING_PKGS[@]} || NEED_PGVECTOR )) || return 0
  local reason
  reason=$(why_cannot_install)
  [[ -z $reason ]] || die "$(missing_message "$reason")"
  policy_rc_d_install
  if (( ${#MISSING_PKGS[@]} )); then apt_install "${MISSING_PKGS[@]}"; fi
  if (( NEED_PGVECTOR )); then install_pgvector; fi
  policy_rc_d_restore
  detect_missing
  (( ${#MISSING_PKGS[@]} == 0 && NEED_PGVECTOR == 0 )) \
    || die "still missing after installing: ${MISSING_ITEMS[*]}"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
as_pg() { # cmd...: run as the postgres OS user, from a directory it can read
  if [[ $(id -u) -ne 0 ]]; then (cd / && "$@"); return; fi
  if command -v runuser >/dev/null; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && su -s /bin/bash "$PG_OS_USER" -c "$(printf '%q ' "$@")")
  fi
}

pg_pid() { live_pid "$PG_PIDFILE" postgres || live_pid "$PG_DATA/postmaster.pid" postgres; }
pg_local_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

pg_external_ok() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -t 5 -d "$DATABASE_URL" >/dev/null 2>&1
  else
    parse_url "$DATABASE_URL" 5432
    tcp_open "$U_HOST" "$U_PORT"
  fi
}

pg_sql() { # db sql: as the bootstrap superuser over the private socket
  as_pg env PGOPTIONS='-c client_min_messages=warning' \
    "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d "$1" -c "$2"
}

# The postgres user has to reach <repo>/.weft through every parent directory.
pg_make_traversable() {
  [[ $(id -u) -eq 0 ]] || return 0
  as_pg test -x "$WEFT_DIR" -a -x "$LOG_DIR" -a -x "$RUN_DIR" && return 0
  local d=$LOG_DIR perm dirs=()
  while :; do dirs+=("$d"); [[ $d == / ]] && break; d=$(dirname -- "$d"); done
  for d in "${dirs[@]}"; do
    perm=$(stat -c %A -- "$d")
    if [[ ${perm:9:1} != [xt] ]]; then
      log "postgres: adding o+x to $d so the '$PG_OS_USER' user can reach .weft"
      chmod o+x -- "$d"
    fi
  done
  chmod o+x -- "$RUN_DIR"
}

pg_prepare_dirs() {
  if [[ $(id -u) -eq 0 ]] && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "postgres: creating system user '$PG_OS_USER'"
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
  mkdir -p -- "$WEFT_DIR/pg" "$PG_RUN"
  touch -- "$PG_LOG"
  [[ $PG_SOCK_DIR == "$PG_RUN" ]] || mkdir -p -- "$PG_SOCK_DIR"
  # 0700 socket dir: only the postgres OS user (and root) can reach the trust-auth socket.
  [[ $(id -u) -ne 0 ]] || chown -- "$PG_OS_USER:" "$WEFT_DIR/pg" "$PG_RUN" "$PG_LOG" "$PG_SOCK_DIR"
  chmod 700 -- "$WEFT_DIR/pg" "$PG_RUN" "$PG_SOCK_DIR"
  pg_make_traversable
}

# After a crash whose zombie postmaster has not been reaped yet (see pid_running), Postgres takes
# its own stale postmaster.pid for a live server and refuses to start. Clear it only when the
# postmaster is dead/zombie AND nothing is attached to its shared memory (no orphaned backends),
# which is the same test Postgres applies.
pg_clear_stale_lock() {
  local lock=$PG_DATA/postmaster.pid pid shmid nattch
  if [[ -f $lock ]]; then
    pid=$(head -n1 -- "$lock" | tr -dc '0-9')
    [[ -n $pid ]] && pid_running "$pid" && return 0
    shmid=$(sed -n 7p -- "$lock" | awk '{print $2}')
    if [[ -n $shmid ]] && command -v ipcs >/dev/null; then
      nattch=$(ipcs -m -i "$shmid" 2>/dev/null | sed -n 's/.*nattch=\([0-9]*\).*/\1/p')
      [[ -z $nattch || $nattch == 0 ]] || return 0
    fi
    log "postgres: removing stale $lock (postmaster $pid is gone)"
    rm -f -- "$lock" "$PG_PIDFILE"
  fi
  # Socket lock files in our private socket dir name the postmaster that made them.
  for lock in "$PG_SOCK_DIR"/.s.PGSQL.*.lock; do
    [[ -f $lock ]] || continue
    pid=$(head -n1 -- "$lock" | tr -dc '0-9')
    if [[ -z $pid ]] || ! pid_running "$pid"; then rm -f -- "$lock" "${lock%.lock}"; fi
  done
}

pg_init_if_needed() {
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    local v; v=$(cat -- "$PG_DATA/PG_VERSION")
    [[ $v == "$PG_MAJOR" ]] || die "$PG_DATA holds a PostgreSQL $v cluster, but PostgreSQL $PG_MAJOR is used. Remove $WEFT_DIR/pg to start over."
    return 0
  fi
  local tmp=$WEFT_DIR/pg/data.initdb locale_args=(--no-locale)
  # init into a side directory first so an interrupted initdb never leaves a half-made data dir
  rm -rf -- "$tmp"
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then locale_args=(--locale=C.UTF-8); fi
  log "postgres: initdb $PG_DATA"
  if ! as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres -E UTF8 "${locale_args[@]}" \
        --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1; then
    log_tail "$PG_LOG"; die "initdb failed"
  fi
  mv -- "$tmp" "$PG_DATA"
  printf "\ninclude_if_exists = 'weft.conf'\n" >>"$PG_DATA/postgresql.conf"
}

# Rewritten on every start so that WEFT_PG_PORT changes take effect.
pg_write_config() {
  # A quarter of the memory for shared buffers (at most 2 GB, at least 128 MB): vector search walks an
  # HNSW graph page by page, and pages read from the OS cache instead of shared buffers cost it about
  # twice the time (100,000 512-dimension segments make a 150 MB index). Three quarters for the cache estimate.
  local mem_mb
  mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || echo 1024)
  local shared_mb=$(( mem_mb / 4 )) cache_mb=$(( mem_mb * 3 / 4 ))
  (( shared_mb > 2048 )) && shared_mb=2048
  (( shared_mb < 128 )) && shared_mb=128
  (( cache_mb < 512 )) && cache_mb=512
  cat >"$PG_DATA/weft.conf" <<EOF
# Managed by scripts/infra/infra.sh; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
unix_socket_permissions = 0700
external_pid_file = '$PG_PIDFILE'
# 2-core dev box; tests open one pool per test file, hence the generous connection limit.
max_connections = 300
shared_buffers = ${shared_mb}MB
effective_cache_size = ${cache_mb}MB
maintenance_work_mem = 128MB
max_wal_size = 1GB
# durability stays as in production
fsync = on
synchronous_commit = on
EOF
  # Node services come in over TCP with a password; only the postgres OS user uses the socket.
  cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Managed by scripts/infra/infra.sh; rewritten on every start.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 trust
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
EOF
  [[ $(id -u) -ne 0 ]] || chown -- "$PG_OS_USER:" "$PG_DATA/weft.conf" "$PG_DATA/pg_hba.conf"
  chmod 600 -- "$PG_DATA/weft.conf" "$PG_DATA/pg_hba.conf"
}

# Idempotent, so it also runs when an instance is reused. Extensions need a superuser, which the
# weft role deliberately is not; putting vector into template1 gives it to every test database.
pg_provision() {
  pg_sql template1 "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'weft') THEN CREATE ROLE weft; END IF;
    END \$\$;
    ALTER ROLE weft WITH LOGIN CREATEDB PASSWORD 'weft';
    CREATE EXTENSION IF NOT EXISTS vector;" >/dev/null \
    || die "postgres: creating role weft / extension vector in template1 failed"
  if [[ $(pg_sql template1 "SELECT 1 FROM pg_database WHERE datname = 'weft'") != 1 ]]; then
    log "postgres: creating database weft"
    pg_sql template1 "CREATE DATABASE weft OWNER weft" >/dev/null || die "postgres: CREATE DATABASE weft failed"
  fi
  pg_sql weft "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null \
    || die "postgres: CREATE EXTENSION vector in database weft failed"
}

ensure_postgres() {
  if [[ -n ${DATABASE_URL:-} ]]; then
    pg_external_ok || die "DATABASE_URL is set ($(redact "$DATABASE_URL")) but that server does not answer. Fix or unset DATABASE_URL (unset: a project-local PostgreSQL is started)."
    log "postgres: using DATABASE_URL ($(redact "$DATABASE_URL")), external; not managed here"
    OUT_DATABASE_URL=$DATABASE_URL
    return 0
  fi
  OUT_DATABASE_URL=$PG_LOCAL_URL
  local pid
  if pid=$(pg_pid); then
    wait_until "$WAIT_SECS" pg_local_ready || {
      log_tail "$PG_LOG"
      die "postgres: our instance (pid $pid) runs but does not answer on 127.0.0.1:$PG_PORT (started with another WEFT_PG_PORT? run '$0 stop' first)"
    }
    log "postgres: reusing running project-local instance (pid $pid, port $PG_PORT)"
    record_started postgres
    pg_provision
    return 0
  fi
  tcp_open 127.0.0.1 "$PG_PORT" && port_taken_die "$PG_PORT" PostgreSQL DATABASE_URL WEFT_PG_PORT \
    "postgres://user:pass@127.0.0.1:$PG_PORT/db"
  pg_prepare_dirs
  pg_init_if_needed
  pg_clear_stale_lock
  pg_write_config
  log "postgres: starting on 127.0.0.1:$PG_PORT (data $PG_DATA, log $PG_LOG)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECS" start >&2 9>&-; then
    log_tail "$PG_LOG"; die "postgres: pg_ctl start failed"
  fi
  wait_until "$WAIT_SECS" pg_local_ready || { log_tail "$PG_LOG"; die "postgres: did not answer on 127.0.0.1:$PG_PORT within ${WAIT_SECS}s"; }
  record_started postgres
  pg_provision
  log "postgres: up"
}

stop_postgres() {
  local pid
  if ! pid=$(pg_pid); then log "postgres: not running"; unrecord_started postgres; return 0; fi
  if ! is_started postgres; then
    log "postgres: pid $pid is not recorded in $STARTED_FILE as started by infra.sh; leaving it alone"
    return 0
  fi
  log "postgres: stopping (pid $pid)"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >&2 || die "postgres: pg_ctl stop failed"
  unrecord_started postgres
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------
redis_pid() { live_pid "$REDIS_PIDFILE" redis-server; }
redis_local_ready() { redis_ping 127.0.0.1 "$REDIS_PORT" >/dev/null; }

ensure_redis() {
  if [[ -n ${REDIS_URL:-} ]]; then
    parse_url "$REDIS_URL" 6379
    local reply
    if [[ $REDIS_URL == rediss://* ]]; then
      # TLS cannot be spoken from bash; a TCP connect is the best check available here.
      tcp_open "$U_HOST" "$U_PORT" || die "REDIS_URL is set ($(redact "$REDIS_URL")) but $U_HOST:$U_PORT does not accept connections. Fix or unset REDIS_URL."
    elif ! reply=$(redis_ping "$U_HOST" "$U_PORT" "$U_USER" "$U_PASS"); then
      die "REDIS_URL is set ($(redact "$REDIS_URL")) but PING to $U_HOST:$U_PORT did not get PONG${reply:+ (reply: $reply)}. Fix or unset REDIS_URL (unset: a project-local Redis is started)."
    fi
    log "redis: using REDIS_URL ($(redact "$REDIS_URL")), external; not managed here"
    OUT_REDIS_URL=$REDIS_URL
    return 0
  fi
  OUT_REDIS_URL=$REDIS_LOCAL_URL
  local pid
  if pid=$(redis_pid); then
    wait_until "$WAIT_SECS" redis_local_ready || {
      log_tail "$REDIS_LOG"
      die "redis: our instance (pid $pid) runs but does not answer on 127.0.0.1:$REDIS_PORT (started with another WEFT_REDIS_PORT? run '$0 stop' first)"
    }
    log "redis: reusing running project-local instance (pid $pid, port $REDIS_PORT)"
    record_started redis
    return 0
  fi
  tcp_open 127.0.0.1 "$REDIS_PORT" && port_taken_die "$REDIS_PORT" Redis REDIS_URL WEFT_REDIS_PORT \
    "redis://127.0.0.1:$REDIS_PORT"
  mkdir -p -- "$REDIS_DATA"
  rm -f -- "$REDIS_PIDFILE"
  log "redis: starting on 127.0.0.1:$REDIS_PORT (data $REDIS_DATA, log $REDIS_LOG)"
  # AOF keeps data across stop/start; RDB snapshots (--save) would only add fork pauses.
  # Startup errors come before --logfile is open, hence the stdio redirect into the same log.
  # shellcheck disable=SC2094
  "$(find_bin redis-server)" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DATA" --daemonize yes \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --appendonly yes --save '' \
    </dev/null >>"$REDIS_LOG" 2>&1 9>&- || { log_tail "$REDIS_LOG"; die "redis: redis-server failed to start"; }
  wait_until "$WAIT_SECS" redis_local_ready || { log_tail "$REDIS_LOG"; die "redis: did not answer PING on 127.0.0.1:$REDIS_PORT within ${WAIT_SECS}s"; }
  wait_until 5 redis_pid >/dev/null || { log_tail "$REDIS_LOG"; die "redis: answers, but no live pid in $REDIS_PIDFILE"; }
  record_started redis
  log "redis: up"
}

stop_redis() {
  local pid
  if ! pid=$(redis_pid); then log "redis: not running"; unrecord_started redis; return 0; fi
  if ! is_started redis; then
    log "redis: pid $pid is not recorded in $STARTED_FILE as started by infra.sh; leaving it alone"
    return 0
  fi
  log "redis: stopping (pid $pid)"
  # SIGTERM = orderly shutdown (AOF fsynced; no RDB since save is off). By pid, not port, so a
  # changed WEFT_REDIS_PORT can never make us shut down somebody else's Redis.
  kill -TERM "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" 30 || die "redis: pid $pid did not exit within 30s"
  rm -f -- "$REDIS_PIDFILE"
  unrecord_started redis
}

# ---------------------------------------------------------------------------------------------
# NATS
# ---------------------------------------------------------------------------------------------
nats_pid() { live_pid "$NATS_PIDFILE" nats-server; }
nats_local_ready() {
  nats_info_ok 127.0.0.1 "$NATS_PORT" || return 1
  # /healthz also covers JetStream being ready, not just the client port
  if command -v curl >/dev/null; then
    curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" 2>/dev/null || return 1
  fi
}

ensure_nats() {
  if [[ -n ${NATS_URL:-} ]]; then
    parse_url "$NATS_URL" 4222
    nats_info_ok "$U_HOST" "$U_PORT" || die "NATS_URL is set ($(redact "$NATS_URL")) but $U_HOST:$U_PORT did not answer with a NATS INFO line. Fix or unset NATS_URL (unset: a project-local NATS is started)."
    log "nats: using NATS_URL ($(redact "$NATS_URL")), external; not managed here"
    OUT_NATS_URL=$NATS_URL
    return 0
  fi
  OUT_NATS_URL=$NATS_LOCAL_URL
  OUT_NATS_CREDENTIALS_DIR=$NATS_AUTH_DIR
  # Each service gets its own NKey user with the subjects the contract table grants it (issue 18).
  local conf sum
  conf=$(node "$SCRIPT_DIR/nats-auth.mjs" --out "$NATS_AUTH_DIR" --any-prefix) || die "nats: could not write the authentication config"
  sum=$(cksum <"$conf")
  local pid
  if pid=$(nats_pid) && [[ $(cat "$NATS_AUTH_SUM" 2>/dev/null) != "$sum" ]] && is_started nats; then
    log "nats: the running instance (pid $pid) has another authentication config; restarting it"
    stop_nats
  fi
  if pid=$(nats_pid); then
    wait_until "$WAIT_SECS" nats_local_ready || {
      log_tail "$NATS_LOG"
      die "nats: our instance (pid $pid) runs but does not answer on 127.0.0.1:$NATS_PORT / monitor $NATS_MONITOR_PORT (started with other WEFT_NATS_*PORT? run '$0 stop' first)"
    }
    log "nats: reusing running project-local instance (pid $pid, port $NATS_PORT)"
    record_started nats
    return 0
  fi
  tcp_open 127.0.0.1 "$NATS_PORT" && port_taken_die "$NATS_PORT" NATS NATS_URL WEFT_NATS_PORT \
    "nats://127.0.0.1:$NATS_PORT"
  tcp_open 127.0.0.1 "$NATS_MONITOR_PORT" && die "port $NATS_MONITOR_PORT on 127.0.0.1 (NATS monitoring) is already in use by something infra.sh did not start. Pick another with WEFT_NATS_MONITOR_PORT=<port>, or point Weft at an existing NATS with NATS_URL=nats://host:4222."
  mkdir -p -- "$NATS_DATA"
  rm -f -- "$NATS_PIDFILE"
  log "nats: starting on 127.0.0.1:$NATS_PORT, monitor :$NATS_MONITOR_PORT, JetStream store $NATS_DATA (log $NATS_LOG)"
  # nats-server has no daemon mode: setsid+nohup detach it from our session so it outlives us, and
  # its stdio goes to a file so that a caller reading our stdout through a pipe gets EOF.
  setsid nohup "$(find_bin nats-server)" -c "$conf" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js -sd "$NATS_DATA" \
    -P "$NATS_PIDFILE" -l "$NATS_LOG" </dev/null >>"$NATS_OUT" 2>&1 9>&- &
  printf '%s\n' "$sum" >"$NATS_AUTH_SUM"
  local launched=$! deadline=$((SECONDS + WAIT_SECS))
  until nats_local_ready; do
    if ! pid_running "$launched"; then
      log_tail "$NATS_OUT"; log_tail "$NATS_LOG"; die "nats: nats-server exited during startup"
    fi
    if (( SECONDS >= deadline )); then
      log_tail "$NATS_LOG"; die "nats: did not answer on 127.0.0.1:$NATS_PORT (and /healthz on :$NATS_MONITOR_PORT) within ${WAIT_SECS}s"
    fi
    sleep 0.2
  done
  wait_until 5 nats_pid >/dev/null || { log_tail "$NATS_LOG"; die "nats: answers, but no live pid in $NATS_PIDFILE"; }
  record_started nats
  log "nats: up"
}

stop_nats() {
  local pid
  if ! pid=$(nats_pid); then log "nats: not running"; unrecord_started nats; return 0; fi
  if ! is_started nats; then
    log "nats: pid $pid is not recorded in $STARTED_FILE as started by infra.sh; leaving it alone"
    return 0
  fi
  log "nats: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" 30 || die "nats: pid $pid did not exit within 30s"
  rm -f -- "$NATS_PIDFILE"
  unrecord_started nats
}

# ---------------------------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------------------------
cmd_ensure() {
  make_dirs
  take_lock
  local t0=$SECONDS
  # Check external servers before installing anything: a wrong URL should fail fast.
  [[ -z ${DATABASE_URL:-} ]] || ensure_postgres
  [[ -z ${REDIS_URL:-} ]] || ensure_redis
  [[ -z ${NATS_URL:-} ]] || ensure_nats
  install_missing
  [[ -n ${DATABASE_URL:-} ]] || ensure_postgres
  [[ -n ${REDIS_URL:-} ]] || ensure_redis
  [[ -n ${NATS_URL:-} ]] || ensure_nats
  local tmp=$ENV_FILE.tmp.$$
  local lines
  lines=$(printf 'DATABASE_URL=%s\nREDIS_URL=%s\nNATS_URL=%s' "$OUT_DATABASE_URL" "$OUT_REDIS_URL" "$OUT_NATS_URL")
  [[ -z $OUT_NATS_CREDENTIALS_DIR ]] || lines+=$'\n'"NATS_CREDENTIALS_DIR=$OUT_NATS_CREDENTIALS_DIR"
  (umask 077 && printf '%s\n' "$lines" >"$tmp")
  mv -f -- "$tmp" "$ENV_FILE"
  log "ready in $((SECONDS - t0))s; URLs also written to $ENV_FILE"
  printf '%s\n' "$lines"
}

cmd_stop() {
  if [[ ! -d $RUN_DIR ]]; then log "nothing to stop (no $RUN_DIR)"; return 0; fi
  take_lock
  stop_nats
  stop_redis
  stop_postgres
}

status_line() { # component state owner url
  printf '%-9s %-5s %-30s %s\n' "$1" "$2" "$3" "$4"
}

# local component: name pidfn readyfn port url
status_local() {
  local pid
  if pid=$("$2"); then
    if "$3"; then status_line "$1" up "ours (pid $pid)" "$5"
    else status_line "$1" down "ours (pid $pid, not answering)" "$5"; fi
  elif tcp_open 127.0.0.1 "$4"; then
    status_line "$1" up "NOT ours (port $4 taken)" "$5"
  else
    status_line "$1" down "ours (not running)" "$5"
  fi
}

cmd_status() {
  local st
  if [[ -n ${DATABASE_URL:-} ]]; then
    if pg_external_ok; then st=up; else st=down; fi
    status_line postgres "$st" "external (DATABASE_URL)" "$(redact "$DATABASE_URL")"
  else
    status_local postgres pg_pid pg_local_ready "$PG_PORT" "$PG_LOCAL_URL"
  fi
  if [[ -n ${REDIS_URL:-} ]]; then
    parse_url "$REDIS_URL" 6379
    if [[ $REDIS_URL == rediss://* ]]; then tcp_open "$U_HOST" "$U_PORT" && st=up || st=down
    elif redis_ping "$U_HOST" "$U_PORT" "$U_USER" "$U_PASS" >/dev/null; then st=up; else st=down; fi
    status_line redis "$st" "external (REDIS_URL)" "$(redact "$REDIS_URL")"
  else
    status_local redis redis_pid redis_local_ready "$REDIS_PORT" "$REDIS_LOCAL_URL"
  fi
  if [[ -n ${NATS_URL:-} ]]; then
    parse_url "$NATS_URL" 4222
    if nats_info_ok "$U_HOST" "$U_PORT"; then st=up; else st=down; fi
    status_line nats "$st" "external (NATS_URL)" "$(redact "$NATS_URL")"
  else
    status_local nats nats_pid nats_local_ready "$NATS_PORT" "$NATS_LOCAL_URL"
  fi
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  check_port_var WEFT_PG_PORT "$PG_PORT"
  check_port_var WEFT_REDIS_PORT "$REDIS_PORT"
  check_port_var WEFT_NATS_PORT "$NATS_PORT"
  check_port_var WEFT_NATS_MONITOR_PORT "$NATS_MONITOR_PORT"
  [[ $WAIT_SECS =~ ^[0-9]+$ ]] || die "WEFT_INFRA_WAIT_SECS must be a number of seconds"
  case ${1:-} in
    ensure) cmd_ensure ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
