#!/usr/bin/env bash
# RabbitMQ, PostgreSQL and Keystone for the integration tests
# (tests/integration), reachable on loopback only, with their state under one
# directory.
#
#   integration-services.sh install      install the Debian packages and
#                                        Keystone's virtualenv if missing
#   integration-services.sh start        install, then start what is not running;
#                                        prints KEY=VALUE lines (see env)
#   integration-services.sh stop [rabbitmq] [postgresql] [keystone]
#                                        stop them (all by default), by PID
#   integration-services.sh status       what runs
#   integration-services.sh env          where they listen, as KEY=VALUE lines
#   integration-services.sh add-vhost NAME | delete-vhost NAME
#   integration-services.sh clean        remove the state directory, unless
#                                        a service runs or a test uses them
#
# install, start and stop are idempotent. RabbitMQ (Debian's rabbitmq-server) is a node
# of its own: its AMQP listener, its distribution port and its epmd are bound
# to 127.0.0.1, its configuration, data and logs are under the state
# directory, never /etc/rabbitmq or /var/lib/rabbitmq. PostgreSQL (Debian's)
# is a cluster of its own, created with initdb in the state directory, run
# with pg_ctl as the postgres user (when run as root) and listening on a
# Unix socket only (no TCP), in a directory only its owner (and root) can
# enter; the system cluster is neither used nor touched.
#
# Keystone (30.0.0, the release of Mistral 23.0.0, from PyPI) runs in a
# virtualenv of its own under the state directory, served by gunicorn on
# 127.0.0.1, with its own database ("keystone") on that PostgreSQL; it is
# set up afresh (db_sync, fernet keys, bootstrap of an admin with a random
# password) each time it starts. The tests create their projects and users.
#
# Exit status 3: the services are missing and cannot be installed here (not
# root, no apt-get, apt-get or pip failed); the tests skip on it, unless
# CI=true or MISTRAL_RESUME_REQUIRE_INTEGRATION=1 (then they fail).
#
# Environment: MISTRAL_RESUME_IT_DIR (state directory, default
# /tmp/mistral-resume-integration), MISTRAL_RESUME_IT_RABBIT_PORT (5672),
# MISTRAL_RESUME_IT_RABBIT_DIST_PORT (25672), MISTRAL_RESUME_IT_KEYSTONE_PORT
# (35357), MISTRAL_RESUME_IT_PYTHON (the Python of Keystone's virtualenv,
# python3). Commands that change the
# services hold a lock on $MISTRAL_RESUME_IT_DIR/services.lock, unless the
# caller says it holds it (MISTRAL_RESUME_IT_LOCK_HELD=1).
set -euo pipefail

STATE_DIR=${MISTRAL_RESUME_IT_DIR:-/tmp/mistral-resume-integration}
RABBIT_PORT=${MISTRAL_RESUME_IT_RABBIT_PORT:-5672}
RABBIT_DIST_PORT=${MISTRAL_RESUME_IT_RABBIT_DIST_PORT:-25672}
RABBIT_NODE=mistral-resume-it@localhost
RABBIT_DIR=$STATE_DIR/rabbitmq
PG_DIR=$STATE_DIR/postgresql
PG_DATA=$PG_DIR/data
KEYSTONE_VERSION=30.0.0
KEYSTONE_PORT=${MISTRAL_RESUME_IT_KEYSTONE_PORT:-35357}
KEYSTONE_DIR=$STATE_DIR/keystone
KEYSTONE_VENV=$STATE_DIR/keystone-venv
KEYSTONE_DB=keystone
EPMD_PORT=4369
START_TIMEOUT=90
STOP_TIMEOUT=30
CANNOT_INSTALL=3

log() { echo "integration-services: $*" >&2; }
die() { log "$*"; exit 1; }

listening() {  # host port
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

alive() {  # pid file
    local pid
    [ -s "$1" ] || return 1
    pid=$(head -n 1 "$1")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

ours() {  # pid marker: the process was started from this state directory
    # (a PID file may outlive its process, and the PID be reused since)
    cat "/proc/$1/cmdline" "/proc/$1/environ" 2>/dev/null | tr '\0' '\n' |
        grep -qF "$2"
}

stop_pid() {  # name pid marker [signal]: signal it, wait until it is gone
    local name=$1 pid=$2 marker=$3 sig=${4:-TERM} waited=0
    kill -0 "$pid" 2>/dev/null || return 0
    if ! ours "$pid" "$marker"; then
        log "pid $pid is not our $name any more: left alone"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill "-$sig" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        # A zombie (its parent has not reaped it yet) runs no more.
        [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
        if [ $waited -ge $((STOP_TIMEOUT * 10)) ]; then
            log "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            return 0
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

stop_pid_file() {  # name pid-file marker
    if [ -s "$2" ]; then
        stop_pid "$1" "$(head -n 1 "$2")" "$3"
    fi
    rm -f "$2"
}

# --- installation -----------------------------------------------------------

rabbit_bin() { echo /usr/lib/rabbitmq/bin; }

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] || return 1
    echo "$dir"
}

installed() {
    [ -x "$(rabbit_bin)/rabbitmq-server" ] && command -v epmd >/dev/null &&
        pg_bin >/dev/null
}

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends rabbitmq-server postgresql
}

cmd_install() {
    install_packages
    install_keystone
}

install_packages() {
    installed && return 0
    if [ "$(id -u)" != 0 ]; then
        log "RabbitMQ or PostgreSQL is not installed, and installing them" \
            "needs root (apt-get install rabbitmq-server postgresql)."
        exit $CANNOT_INSTALL
    fi
    if ! command -v apt-get >/dev/null; then
        log "RabbitMQ or PostgreSQL is not installed, and there is no" \
            "apt-get to install them with."
        exit $CANNOT_INSTALL
    fi
    # The packages start their system services on installation, listening
    # on every address. Debian's policy-rc.d says no (as Docker images do)
    # while they are installed; an existing policy is left as it is.
    local policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e $policy ]; then
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        printf '#!/bin/sh\nexit 101\n' > $policy
        chmod 755 $policy
        own_policy=$policy
    fi
    local status=0
    log "installing rabbitmq-server and postgresql with apt-get"
    {
        # The package lists are refreshed only when they lack the packages
        # or are too old to install them.
        if ! apt-cache show rabbitmq-server postgresql >/dev/null 2>&1 ||
                ! apt_install; then
            apt-get update -q && apt_install
        fi
    } > "$STATE_DIR/apt-get.log" 2>&1 || status=$?
    if [ -n "$own_policy" ]; then
        rm -f "$own_policy"
        trap - EXIT
    fi
    if [ $status != 0 ] || ! installed; then
        tail -n 20 "$STATE_DIR/apt-get.log" >&2
        log "apt-get could not install rabbitmq-server and postgresql" \
            "(status $status; log: $STATE_DIR/apt-get.log)."
        exit $CANNOT_INSTALL
    fi
}

# --- RabbitMQ ---------------------------------------------------------------

rabbit_env() {
    # Nothing of the system's configuration (/etc/rabbitmq) applies.
    export HOME=$RABBIT_DIR/home
    export RABBITMQ_CONF_ENV_FILE=/dev/null
    export RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$RABBIT_DIR/advanced.config
    export RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins
    export RABBITMQ_NODENAME=$RABBIT_NODE
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$RABBIT_PORT
    export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
    export RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia
    export RABBITMQ_LOG_BASE=$RABBIT_DIR/log
    export RABBITMQ_PID_FILE=$RABBIT_DIR/rabbitmq.pid
    # Erlang distribution (the server's and rabbitmqctl's) and epmd on
    # loopback only.
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
    export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

ctl() { "$(rabbit_bin)/rabbitmqctl" -q "$@"; }

rabbit_running() {
    alive "$RABBIT_DIR/rabbitmq.pid" && listening 127.0.0.1 "$RABBIT_PORT"
}

start_rabbit() {
    if listening 127.0.0.1 "$RABBIT_PORT"; then
        die "port $RABBIT_PORT is taken by another process than our" \
            "RabbitMQ; stop it or set MISTRAL_RESUME_IT_RABBIT_PORT."
    fi
    stop_rabbit  # whatever is left of an earlier run
    rm -rf "$RABBIT_DIR"
    mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
    chmod 700 "$RABBIT_DIR/home"
    cat > "$RABBIT_DIR/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
loopback_users.guest = true
EOF
    echo '[].' > "$RABBIT_DIR/advanced.config"
    echo '[].' > "$RABBIT_DIR/enabled_plugins"

    # Our own epmd, unless one runs already (it would then serve us too).
    if ! listening 127.0.0.1 $EPMD_PORT; then
        setsid epmd -address 127.0.0.1 -port $EPMD_PORT \
            > "$RABBIT_DIR/log/epmd.log" 2>&1 < /dev/null 9>&- &
        echo $! > "$RABBIT_DIR/epmd.pid"
    fi
    log "starting RabbitMQ on 127.0.0.1:$RABBIT_PORT ($RABBIT_DIR)"
    setsid "$(rabbit_bin)/rabbitmq-server" \
        > "$RABBIT_DIR/log/stdout.log" 2>&1 < /dev/null 9>&- &
    echo $! > "$RABBIT_DIR/launcher.pid"

    # (9>&-: the services must not inherit the lock of this script.)
    local deadline=$((SECONDS + START_TIMEOUT))
    until [ -s "$RABBIT_DIR/rabbitmq.pid" ] && listening 127.0.0.1 "$RABBIT_PORT" &&
            ctl await_startup --timeout 10 >/dev/null 2>&1; do
        if ! alive "$RABBIT_DIR/launcher.pid" || [ $SECONDS -ge $deadline ]; then
            tail -n 30 "$RABBIT_DIR/log/stdout.log" >&2 || true
            stop_rabbit
            die "RabbitMQ did not start (log: $RABBIT_DIR/log)."
        fi
        sleep 0.5
    done
}

stop_rabbit() {
    [ -d "$RABBIT_DIR" ] || return 0
    # Each was started with this environment, RABBITMQ_MNESIA_BASE in it.
    stop_pid_file RabbitMQ "$RABBIT_DIR/rabbitmq.pid" "$RABBIT_DIR"
    stop_pid_file "RabbitMQ launcher" "$RABBIT_DIR/launcher.pid" "$RABBIT_DIR"
    stop_pid_file epmd "$RABBIT_DIR/epmd.pid" "$RABBIT_DIR"
}

# --- PostgreSQL -------------------------------------------------------------

as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    alive "$PG_DATA/postmaster.pid" &&
        "$(pg_bin)/pg_isready" -q -h "$PG_DIR" >/dev/null 2>&1
}

start_pg() {
    stop_pg
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_DIR"
    fi
    log "starting PostgreSQL on the socket in $PG_DIR"
    # Trust over a socket in a directory only its owner and root enter.
    as_pg_owner "$(pg_bin)/initdb" -D "$PG_DATA" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 --no-sync > "$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; die "initdb failed."; }
    # A throw-away cluster: durability is traded for speed.
    if ! as_pg_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgresql.log" \
            -w -t $START_TIMEOUT -o "-c listen_addresses='' -k $PG_DIR \
            -c max_connections=400 -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off" start > /dev/null 9>&-; then
        tail -n 30 "$PG_DIR/postgresql.log" >&2 || true
        stop_pg
        die "PostgreSQL did not start (log: $PG_DIR/postgresql.log)."
    fi
}

stop_pg() {
    # SIGINT: PostgreSQL's fast shutdown.
    if [ -s "$PG_DATA/postmaster.pid" ]; then
        stop_pid PostgreSQL "$(head -n 1 "$PG_DATA/postmaster.pid")" \
            "$PG_DATA" INT
    fi
}

# --- Keystone ---------------------------------------------------------------

keystone_installed() {
    [ -x "$KEYSTONE_VENV/bin/keystone-manage" ] &&
        [ -x "$KEYSTONE_VENV/bin/gunicorn" ] &&
        [ "$(cat "$KEYSTONE_VENV/installed" 2>/dev/null)" = $KEYSTONE_VERSION ]
}

install_keystone() {
    keystone_installed && return 0
    local python=${MISTRAL_RESUME_IT_PYTHON:-python3} status=0
    log "installing keystone $KEYSTONE_VERSION from PyPI into $KEYSTONE_VENV"
    rm -rf "$KEYSTONE_VENV"
    {
        "$python" -m venv "$KEYSTONE_VENV" &&
            "$KEYSTONE_VENV/bin/pip" install -q --disable-pip-version-check \
                "keystone==$KEYSTONE_VERSION" gunicorn psycopg2-binary
    } > "$STATE_DIR/keystone-pip.log" 2>&1 || status=$?
    if [ $status != 0 ]; then
        tail -n 20 "$STATE_DIR/keystone-pip.log" >&2
        rm -rf "$KEYSTONE_VENV"
        log "pip could not install keystone $KEYSTONE_VERSION" \
            "(status $status; log: $STATE_DIR/keystone-pip.log)."
        exit $CANNOT_INSTALL
    fi
    echo $KEYSTONE_VERSION > "$KEYSTONE_VENV/installed"
}

keystone_url() { echo "http://127.0.0.1:$KEYSTONE_PORT/v3"; }

keystone_answers() {
    # (Its virtualenv's Python: curl may not be installed.)
    "$KEYSTONE_VENV/bin/python" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=5)' "$(keystone_url)" \
        > /dev/null 2>&1
}

pg_started_at() {  # the cluster's start time, from its postmaster.pid
    sed -n 3p "$PG_DATA/postmaster.pid" 2>/dev/null
}

keystone_running() {
    # On the cluster it was set up on (its database goes with a cluster).
    alive "$KEYSTONE_DIR/gunicorn.pid" && keystone_answers &&
        [ "$(cat "$KEYSTONE_DIR/pg-started-at" 2>/dev/null)" = "$(pg_started_at)" ]
}

psql_admin() {
    as_pg_owner "$(pg_bin)/psql" -q -X -v ON_ERROR_STOP=1 -h "$PG_DIR" \
        -U postgres -d postgres -c "$1"
}

write_keystone_files() {
    cat > "$KEYSTONE_DIR/keystone.conf" <<END_OF_CONF
[DEFAULT]
log_file = $KEYSTONE_DIR/keystone.log
use_stderr = false
[database]
connection = postgresql+psycopg2://postgres@/$KEYSTONE_DB?host=$PG_DIR
[token]
provider = fernet
[fernet_tokens]
key_repository = $KEYSTONE_DIR/fernet-keys
[fernet_receipts]
key_repository = $KEYSTONE_DIR/fernet-keys
[credential]
key_repository = $KEYSTONE_DIR/credential-keys
END_OF_CONF
    # Keystone 30 ships no WSGI script, and its oslo.config would parse
    # gunicorn's arguments (and reject them) from sys.argv.
    cat > "$KEYSTONE_DIR/ks_wsgi.py" <<'END_OF_WSGI'
import sys
sys.argv = sys.argv[:1]
from keystone.server import wsgi  # noqa: E402
application = wsgi.initialize_public_application()
END_OF_WSGI
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' \
        > "$KEYSTONE_DIR/admin-password")
}

start_keystone() {
    stop_keystone  # whatever is left of an earlier run
    if listening 127.0.0.1 "$KEYSTONE_PORT"; then
        die "port $KEYSTONE_PORT is taken by another process than our" \
            "Keystone; stop it or set MISTRAL_RESUME_IT_KEYSTONE_PORT."
    fi
    rm -rf "$KEYSTONE_DIR"
    mkdir -p "$KEYSTONE_DIR"
    chmod 700 "$KEYSTONE_DIR"
    pg_started_at > "$KEYSTONE_DIR/pg-started-at"
    log "starting Keystone on $(keystone_url) ($KEYSTONE_DIR)"
    # A fresh database and fresh keys each time: nothing is kept.
    psql_admin "DROP DATABASE IF EXISTS $KEYSTONE_DB WITH (FORCE)" > /dev/null
    psql_admin "CREATE DATABASE $KEYSTONE_DB" > /dev/null
    write_keystone_files
    local manage url owner group
    manage="$KEYSTONE_VENV/bin/keystone-manage --config-file $KEYSTONE_DIR/keystone.conf"
    url=$(keystone_url)
    owner=$(id -un)
    group=$(id -gn)
    # The --keystone-user/--keystone-group flags are required as root.
    if ! { $manage db_sync &&
            $manage fernet_setup --keystone-user "$owner" \
                --keystone-group "$group" &&
            $manage credential_setup --keystone-user "$owner" \
                --keystone-group "$group" &&
            $manage bootstrap \
                --bootstrap-password "$(cat "$KEYSTONE_DIR/admin-password")" \
                --bootstrap-region-id RegionOne \
                --bootstrap-admin-url "$url" --bootstrap-public-url "$url" \
                --bootstrap-internal-url "$url"
        } > "$KEYSTONE_DIR/setup.log" 2>&1; then
        tail -n 30 "$KEYSTONE_DIR/setup.log" >&2
        die "Keystone could not be set up (log: $KEYSTONE_DIR/setup.log)."
    fi
    # --no-control-socket: gunicorn would create ~/.gunicorn/gunicorn.ctl.
    OS_KEYSTONE_CONFIG_FILES=$KEYSTONE_DIR/keystone.conf setsid \
        "$KEYSTONE_VENV/bin/gunicorn" --chdir "$KEYSTONE_DIR" \
        --bind "127.0.0.1:$KEYSTONE_PORT" --workers 1 --no-control-socket \
        --graceful-timeout 5 --pid "$KEYSTONE_DIR/gunicorn.pid" \
        --error-logfile "$KEYSTONE_DIR/gunicorn.log" ks_wsgi:application \
        > "$KEYSTONE_DIR/gunicorn.out" 2>&1 < /dev/null 9>&- &
    echo $! > "$KEYSTONE_DIR/launcher.pid"
    local deadline=$((SECONDS + START_TIMEOUT))
    until [ -s "$KEYSTONE_DIR/gunicorn.pid" ] && keystone_answers; do
        if ! alive "$KEYSTONE_DIR/launcher.pid" || [ $SECONDS -ge $deadline ]; then
            tail -n 30 "$KEYSTONE_DIR/gunicorn.log" >&2 || true
            stop_keystone
            die "Keystone did not start (log: $KEYSTONE_DIR)."
        fi
        sleep 0.2
    done
}

stop_keystone() {
    [ -d "$KEYSTONE_DIR" ] || return 0
    # gunicorn's master (the launcher itself) stops its worker on SIGTERM.
    stop_pid_file Keystone "$KEYSTONE_DIR/gunicorn.pid" "$KEYSTONE_DIR"
    stop_pid_file "Keystone launcher" "$KEYSTONE_DIR/launcher.pid" "$KEYSTONE_DIR"
}

# --- commands ---------------------------------------------------------------

cmd_env() {
    echo "RABBIT_HOST=127.0.0.1"
    echo "RABBIT_PORT=$RABBIT_PORT"
    echo "RABBIT_USER=guest"
    echo "RABBIT_PASSWORD=guest"
    echo "PG_HOST=$PG_DIR"
    echo "PG_USER=postgres"
    echo "KEYSTONE_URL=$(keystone_url)"
    echo "KEYSTONE_ADMIN_USER=admin"
    echo "KEYSTONE_ADMIN_PROJECT=admin"
    echo "KEYSTONE_ADMIN_PASSWORD=$(cat "$KEYSTONE_DIR/admin-password" 2>/dev/null)"
}

STARTED_NOW=()

undo_start() {
    # A start that fails half-way stops what it started: nobody else knows.
    local component
    for component in "${STARTED_NOW[@]}"; do
        case $component in
            rabbitmq) stop_rabbit ;;
            postgresql) stop_pg ;;
            keystone) stop_keystone ;;
        esac
    done
}

cmd_start() {
    cmd_install
    trap undo_start EXIT
    if ! rabbit_running; then
        STARTED_NOW+=(rabbitmq)
        start_rabbit
    fi
    if ! pg_running; then
        STARTED_NOW+=(postgresql)
        start_pg
    fi
    # Its database lives in that cluster: a new cluster, a new Keystone.
    if ! keystone_running; then
        STARTED_NOW+=(keystone)
        start_keystone
    fi
    trap - EXIT
    cmd_env
    echo "STARTED=${STARTED_NOW[*]:-}"
}

cmd_stop() {
    local what=("$@")
    [ ${#what[@]} -gt 0 ] || what=(keystone rabbitmq postgresql)
    for w in "${what[@]}"; do
        case $w in
            rabbitmq) stop_rabbit ;;
            # Keystone's database is in that cluster.
            postgresql) stop_keystone; stop_pg ;;
            keystone) stop_keystone ;;
            *) die "unknown service $w" ;;
        esac
    done
}

cmd_status() {
    if rabbit_running; then
        echo "rabbitmq: running (pid $(head -n 1 "$RABBIT_DIR/rabbitmq.pid"))"
    else
        echo "rabbitmq: stopped"
    fi
    if pg_running; then
        echo "postgresql: running (pid $(head -n 1 "$PG_DATA/postmaster.pid"))"
    else
        echo "postgresql: stopped"
    fi
    if keystone_running; then
        echo "keystone: running (pid $(head -n 1 "$KEYSTONE_DIR/gunicorn.pid"))"
    else
        echo "keystone: stopped"
    fi
}

cmd_clean() {
    # Under services.lock; a test process holds users.lock (shared) while
    # it uses the services.
    exec 8> "$STATE_DIR/users.lock"
    if ! flock -n -x 8; then
        log "kept $STATE_DIR: a test run uses the services"
        return 0
    fi
    if rabbit_running || pg_running; then
        log "kept $STATE_DIR: services run from it (stop them first)"
        return 0
    fi
    # Without its database cluster, a Keystone left running is of no use.
    stop_keystone
    rm -rf "$STATE_DIR"
    log "removed $STATE_DIR"
}

locked() {
    if [ "${MISTRAL_RESUME_IT_LOCK_HELD:-}" = 1 ]; then
        "$@"
    else
        exec 9> "$STATE_DIR/services.lock"
        flock 9
        "$@"
    fi
}

mkdir -p "$STATE_DIR"
rabbit_env
case ${1:-} in
    install) locked cmd_install ;;
    start) locked cmd_start ;;
    stop) shift; locked cmd_stop "$@" ;;
    status) cmd_status ;;
    clean) locked cmd_clean ;;
    env) cmd_env ;;
    add-vhost)
        ctl add_vhost "$2"
        ctl set_permissions -p "$2" guest '.*' '.*' '.*' ;;
    delete-vhost) ctl delete_vhost "$2" ;;
    *)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
        exit 2 ;;
esac
