#!/usr/bin/env bash
# Start the local CKAN 2.12 portal on http://127.0.0.1:5000, idempotently.
#
# State lives in .portal/ (git-ignored): venv/, ckan.ini, storage/, ckan.log,
# ckan.pid, token (API token of the sysadmin), admin-password.
# A fresh .portal/ means a fresh portal: the PostgreSQL database is recreated.
# On a running, healthy portal this returns in about a second.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.portal"
VENV="$STATE/venv"
INI="$STATE/ckan.ini"
PIDFILE="$STATE/ckan.pid"
LOG="$STATE/ckan.log"
TOKEN_FILE="$STATE/token"
HOST=127.0.0.1
PORT=5000
URL="http://$HOST:$PORT"
DB=ckan_rendicion
ADMIN=rendicion-admin
PLUGINS="activity dcat dcat_json_interface structured_data pgsearch"
CKAN="$VENV/bin/ckan"

say() { echo "portal: $*" >&2; }
die() {
  say "ERROR: $*"
  if [ -s "$LOG" ]; then say "last lines of $LOG:"; tail -n 40 "$LOG" >&2; fi
  exit 1
}
status_ok() { curl -fsS --max-time 3 "$URL/api/3/action/status_show" >/dev/null 2>&1; }
our_pid_alive() {  # the recorded PID is alive and still a CKAN process
  [ -s "$PIDFILE" ] && grep -qa ckan "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null
}
token_ok() {  # the token file exists and the running portal accepts it
  [ -s "$TOKEN_FILE" ] || return 1
  curl -fsS --max-time 5 -H "Authorization: $(cat "$TOKEN_FILE")" \
    "$URL/api/3/action/api_token_list?user_id=$ADMIN" >/dev/null 2>&1
}
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAX "$@"; }

# Fingerprint of what is installed in the venv (pinned requirements, plugin).
STAMP=$(cat "$ROOT/portal/requirements.txt" "$ROOT/portal/ckanext-pgsearch/pyproject.toml" | sha256sum | cut -c1-16)

# 1. Fast path: already running, healthy and up to date.
healthy() {
  if status_ok; then
    our_pid_alive || die "something else answers on $URL (not the portal started from $STATE); stop it first"
    [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$STAMP" ] && token_ok
  else
    return 1
  fi
}
if healthy; then echo "$URL"; exit 0; fi
mkdir -p "$STATE"
exec 9>"$STATE/start.lock"  # one start.sh at a time; the second one waits, then finds it up
flock 9
if healthy; then echo "$URL"; exit 0; fi
if our_pid_alive; then  # running but unhealthy or out of date: restart it
  say "restarting the portal (pid $(cat "$PIDFILE"))"
  bash "$ROOT/portal/stop.sh"
fi

# 2. PostgreSQL and Redis.
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
  pg_isready -h 127.0.0.1 -p 5432 -q || die "PostgreSQL does not answer on 127.0.0.1:5432"
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.25; done
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || die "Redis does not answer on 127.0.0.1:6379"
fi

# 3. CKAN's virtualenv, reinstalled when the pinned requirements or the plugin change.
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  say "installing CKAN into $VENV"
  command -v pg_config >/dev/null || {  # psycopg2 builds from source
    say "installing libpq-dev (needed to build psycopg2)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpq-dev >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpq-dev >/dev/null; }
  }
  UV=$(command -v uv || true)
  [ -n "$UV" ] || { [ -x "$ROOT/.tools/bin/uv" ] && UV="$ROOT/.tools/bin/uv"; } || true
  rm -rf "$VENV"
  if [ -z "$UV" ]; then  # no uv on this machine: bring it into the venv with pip
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q uv
    UV="$VENV/bin/uv"
  else
    "$UV" venv -q --python 3.11 "$VENV"
  fi
  UV_COMPILE_BYTECODE=1 "$UV" pip install -q --python "$VENV/bin/python" \
    -r "$ROOT/portal/requirements.txt" -e "$ROOT/portal/ckanext-pgsearch" \
    || die "could not install CKAN (see the messages above)"
  echo "$STAMP" > "$VENV/.stamp"
fi

# 4. Database role, database and configuration (a new ckan.ini means a new database).
if [ ! -s "$INI" ]; then
  say "creating database $DB and $INI"
  if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB'")" ]; then
    psql_admin -c "CREATE ROLE $DB LOGIN PASSWORD '$DB'"
  fi
  psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  psql_admin -c "CREATE DATABASE $DB OWNER $DB ENCODING 'UTF8' TEMPLATE template0"
  rm -f "$TOKEN_FILE" "$STATE/db.ok"
  mkdir -p "$STATE/storage"
  "$CKAN" generate config "$INI.new" >/dev/null
  "$CKAN" config-tool "$INI.new" \
    "sqlalchemy.url = postgresql://$DB:$DB@127.0.0.1:5432/$DB" \
    "ckan.site_url = $URL" \
    "ckan.site_id = rendicion" \
    "ckan.site_title = Rendición abierta" \
    "ckan.site_description = Informes cuatrimestrales de rendición de cuentas como datos abiertos" \
    "ckan.locale_default = es" \
    "ckan.locales_offered = es en" \
    "ckan.redis.url = redis://127.0.0.1:6379/1" \
    "ckan.storage_path = $STATE/storage" \
    "ckan.max_resource_size = 200" \
    "ckan.plugins = $PLUGINS" \
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3" \
    "ckan.views.default_views = " \
    "ckan.auth.create_user_via_web = false" \
    "ckan.auth.create_user_via_api = false" \
    "ckan.auth.user_create_organizations = false" \
    "ckan.auth.user_create_groups = false" \
    "ckan.devserver.host = $HOST" \
    "ckan.devserver.port = $PORT" >/dev/null
  sed -i '/^\[logger_ckanext\]/,/^\[/ s/^level = DEBUG/level = INFO/' "$INI.new"
  mv "$INI.new" "$INI"
fi

# 5. Schema (core and plugin migrations: `db init` is `db upgrade`) and the sysadmin.
if [ ! -e "$STATE/db.ok" ]; then
  say "initialising the database"
  "$CKAN" -c "$INI" db init >>"$LOG" 2>&1 || die "ckan db init failed"
  [ -s "$STATE/admin-password" ] || (umask 077; head -c 18 /dev/urandom | base64 > "$STATE/admin-password")
  "$CKAN" -c "$INI" sysadmin add "$ADMIN" --create email=admin@rendicion.invalid \
    password="$(cat "$STATE/admin-password")" >>"$LOG" 2>&1 </dev/null \
    || die "could not create the sysadmin $ADMIN"
  touch "$STATE/db.ok"
fi

new_token() {
  say "creating an API token for $ADMIN in $TOKEN_FILE"
  local token
  token=$("$CKAN" -c "$INI" user token add -q "$ADMIN" portal 2>>"$LOG" | tail -n1 | tr -d '[:space:]')
  [ -n "$token" ] || die "could not create an API token"
  (umask 077; printf '%s\n' "$token" > "$TOKEN_FILE")
}

# 6. The web server, in its own session so that it outlives this shell.
if ! status_ok; then
  say "starting CKAN (log: $LOG)"
  cd "$STATE"
  setsid nohup "$CKAN" -c "$INI" run -H "$HOST" -p "$PORT" -r -t >>"$LOG" 2>&1 </dev/null 9>&- &
  echo $! > "$PIDFILE"
  [ -s "$TOKEN_FILE" ] || new_token  # meanwhile, while CKAN boots
  for _ in $(seq 120); do
    status_ok && break
    our_pid_alive || die "CKAN exited while starting"
    sleep 0.25
  done
  status_ok || die "CKAN did not answer on $URL within 30 s"
fi

# 7. The API token is kept across restarts while the portal accepts it.
token_ok || { new_token; token_ok || die "the portal does not accept the new API token"; }
chmod 600 "$TOKEN_FILE"
echo "$URL"
