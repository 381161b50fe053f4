#!/usr/bin/env bash
# Start the local CKAN 2.12 portal (http://127.0.0.1:5000 by default), idempotently.
#
# Settings (environment; see portal/README.md):
#   RENDICION_PORTAL_DB       PostgreSQL database, and the name of its role (default ckan_rendicion);
#                             the DataStore lives in <DB>_datastore, written by the role <DB>_ds_escritura
#                             and read by the read-only role <DB>_ds_lectura
#   RENDICION_PORTAL_PORT     port on 127.0.0.1 (default 5000)
#   RENDICION_PORTAL_STATE    state folder (default .portal; relative paths are from the repository):
#                             ckan.ini, token, admin-password, db-password, datastore-write-password,
#                             datastore-read-password, ckan.log, ckan.pid, storage/
#   RENDICION_PORTAL_STORAGE  file store (default <state folder>/storage)
#   RENDICION_PORTAL_WORKERS  CKAN's worker processes under gunicorn (default 2)
# CKAN's virtualenv is always .portal/venv, shared by every portal of this checkout.
#
# Nothing is ever dropped or emptied: an existing portal database is reused (its schema brought
# up to date with `ckan db upgrade`, which is idempotent; the DataStore's permissions with
# `ckan datastore set-permissions`, idempotent too) and a database or role this script did not
# make stops it with a one-line message. Secrets (database password, sysadmin password, API
# token) never appear on a command line, and every file written here is private (umask 077).
# On a running, healthy portal this returns in well under a second.
set -euo pipefail
umask 077

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
absolute() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s' "$ROOT/$1" ;; esac; }
STATE=$(absolute "${RENDICION_PORTAL_STATE:-.portal}")
STORAGE=$(absolute "${RENDICION_PORTAL_STORAGE:-$STATE/storage}")
DB=${RENDICION_PORTAL_DB:-ckan_rendicion}
PORT=${RENDICION_PORTAL_PORT:-5000}
WORKERS=${RENDICION_PORTAL_WORKERS:-2}
VENV="$ROOT/.portal/venv"
INI="$STATE/ckan.ini"
PIDFILE="$STATE/ckan.pid"
LOG="$STATE/ckan.log"
TOKEN_FILE="$STATE/token"
ADMIN_PASSWORD_FILE="$STATE/admin-password"
DB_PASSWORD_FILE="$STATE/db-password"
DS_DB="${DB}_datastore"          # the DataStore's own database (tables loaded by the publisher)
DS_WRITE="${DB}_ds_escritura"    # writes it (CKAN's datastore_create/upsert/delete)
DS_READ="${DB}_ds_lectura"       # reads it only (datastore_search, datastore_search_sql, the views)
DS_WRITE_PASSWORD_FILE="$STATE/datastore-write-password"
DS_READ_PASSWORD_FILE="$STATE/datastore-read-password"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
ROLE=$DB
ADMIN=rendicion-admin
# datastore: tables queryable through the API; datatables_view: the table view; charts_view
# (ckanext-charts): the chart views the publisher declares; rendicion_cifras (ckanext-rendicion): the
# table view shows each figure with the decimal places the data dictionary declares.
PLUGINS="activity dcat dcat_json_interface structured_data pgsearch datastore rendicion_cifras datatables_view charts_view"
CKAN="$VENV/bin/ckan"
MARK="rendicion portal/start.sh"  # comment on the roles and databases this script created
if [ "$DB" = ckan_rendicion ]; then SITE_ID=rendicion; else SITE_ID=$DB; fi  # Redis key prefix

say() { echo "portal: $*" >&2; }
die() {
  say "ERROR: $*"
  if [ -s "$LOG" ]; then say "last lines of $LOG:"; tail -n 40 "$LOG" >&2; fi
  exit 1
}
[[ $DB =~ ^[a-z_][a-z0-9_]{0,48}$ ]] \
  || die "RENDICION_PORTAL_DB must be a PostgreSQL name in lowercase letters, digits and _, at most 49 characters (the DataStore's names add up to 14; got '$DB')"
[[ $PORT =~ ^[0-9]{2,5}$ ]] || die "RENDICION_PORTAL_PORT must be a port number (got '$PORT')"
[[ $WORKERS =~ ^[1-9][0-9]?$ ]] || die "RENDICION_PORTAL_WORKERS must be a number of processes, 1 to 99 (got '$WORKERS')"

status_ok() { curl -fsS --max-time 3 "$URL/api/3/action/status_show" >/dev/null 2>&1; }
our_pid_alive() {  # the recorded PID is alive and still a CKAN process
  [ -s "$PIDFILE" ] && grep -qa ckan "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null
}
token_ok() {  # the token file exists and the running portal accepts it (header sent through stdin)
  [ -s "$TOKEN_FILE" ] || return 1
  local token
  token=$(<"$TOKEN_FILE")
  printf 'header = "Authorization: %s"\n' "$token" \
    | curl -fsS --max-time 5 -K - "$URL/api/3/action/api_token_list?user_id=$ADMIN" >/dev/null 2>&1
}
psql_admin() {  # psql_admin DATABASE [psql arguments]; SQL from -c or from stdin
  local database=$1
  shift
  PGOPTIONS="-c client_min_messages=warning" \
    psql -h 127.0.0.1 -U postgres -d "$database" -v ON_ERROR_STOP=1 -qtAX "$@"
}
new_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }

# Fingerprint of what is installed in the venv (pinned requirements, plugin).
STAMP=$(cat "$ROOT/portal/requirements.txt" "$ROOT/portal/ckanext-pgsearch/pyproject.toml" \
  "$ROOT/portal/ckanext-rendicion/pyproject.toml" | sha256sum | cut -c1-16)

# 1. Fast path: already running, healthy and up to date.
healthy() {
  if status_ok; then
    our_pid_alive || die "something else answers on $URL (not the portal started from $STATE); stop it first, or choose another port: RENDICION_PORTAL_PORT=5002 make portal"
    [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$STAMP" ] && [ -s "$DB_PASSWORD_FILE" ] && [ -e "$STATE/datastore.ok" ] \
      && grep -qxF "ckan.plugins = $PLUGINS" "$INI" 2>/dev/null && token_ok
  else
    return 1
  fi
}
if healthy; then echo "$URL"; exit 0; fi
mkdir -p "$STATE"
exec 9>"$STATE/start.lock"  # one start.sh per state folder at a time; the second waits, then finds it up
flock 9
if healthy; then echo "$URL"; exit 0; fi
chmod 700 "$STATE"  # and files an earlier start.sh left readable (ckan.ini, ckan.log) become private
find "$STATE" -maxdepth 1 -type f -perm /077 -exec chmod go-rwx {} +
if our_pid_alive; then  # running but unhealthy or out of date: restart it
  say "restarting the portal (pid $(cat "$PIDFILE"))"
  RENDICION_PORTAL_STATE=$STATE bash "$ROOT/portal/stop.sh" >&2
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
install_venv() {
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
    -r "$ROOT/portal/requirements.txt" -e "$ROOT/portal/ckanext-pgsearch" -e "$ROOT/portal/ckanext-rendicion" \
    || die "could not install CKAN (see the messages above)"
  echo "$STAMP" > "$VENV/.stamp"
}
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  mkdir -p "$ROOT/.portal"
  exec 8>"$ROOT/.portal/venv.lock"  # portals with other state folders share the venv
  flock 8
  [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$STAMP" ] || install_venv
  exec 8>&-
fi

# 4. Role and database: created when missing, reused when they are a portal's, never dropped.
found=$(psql_admin postgres -c "SELECT
    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'),
    coalesce((SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = '$ROLE'), ''),
    EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB'),
    coalesce((SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$DB'), ''),
    coalesce((SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB'), '')")
IFS='|' read -r role_exists role_note db_exists db_owner db_note <<<"$found"
ELSEWHERE="choose another name: RENDICION_PORTAL_DB=<name> make portal"
if [ "$db_exists" = t ]; then  # ours if this script made it, or an earlier start.sh did (a CKAN schema)
  [ "$db_owner" = "$ROLE" ] && { [ "$db_note" = "$MARK" ] \
    || [ "$(psql_admin "$DB" -c "SELECT to_regclass('public.package') IS NOT NULL")" = t ]; } \
    || die "database $DB exists and is not a portal database made by portal/start.sh (left untouched); $ELSEWHERE"
elif [ "$role_exists" = t ] && [ "$role_note" != "$MARK" ]; then
  die "PostgreSQL role $ROLE exists and was not created by portal/start.sh (left untouched); $ELSEWHERE"
fi
# The DataStore's database and roles: the same rules, checked before anything is created.
found=$(psql_admin postgres -c "SELECT
    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DS_WRITE'),
    coalesce((SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = '$DS_WRITE'), ''),
    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DS_READ'),
    coalesce((SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = '$DS_READ'), ''),
    EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DS_DB'),
    coalesce((SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$DS_DB'), ''),
    coalesce((SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DS_DB'), '')")
IFS='|' read -r ds_write_exists ds_write_note ds_read_exists ds_read_note ds_db_exists ds_db_owner ds_db_note <<<"$found"
if [ "$ds_db_exists" = t ] && { [ "$ds_db_owner" != "$DS_WRITE" ] || [ "$ds_db_note" != "$MARK" ]; }; then
  die "database $DS_DB exists and is not a DataStore made by portal/start.sh (left untouched); $ELSEWHERE"
fi
for pair in "$DS_WRITE:$ds_write_exists:$ds_write_note" "$DS_READ:$ds_read_exists:$ds_read_note"; do
  IFS=: read -r name exists note <<<"$pair"
  [ "$exists" != t ] || [ "$note" = "$MARK" ] \
    || die "PostgreSQL role $name exists and was not created by portal/start.sh (left untouched); $ELSEWHERE"
done

ini_db_password() {  # the password in an existing ckan.ini (kept there by an earlier start.sh)
  local line
  line=$(grep -m1 '^sqlalchemy.url' "$INI" 2>/dev/null) || return 0
  [[ $line =~ ://[^:@/]+:([^@]*)@ ]] && printf '%s' "${BASH_REMATCH[1]}"
  return 0
}
role_accepts() {  # role_accepts PASSWORD [ROLE]: a login with it works (through a private password file)
  local passfile="$STATE/.pgpass.$$" ok=1 role=${2:-$ROLE}
  printf '127.0.0.1:5432:*:%s:%s\n' "$role" "$1" > "$passfile"
  if PGPASSFILE=$passfile psql -h 127.0.0.1 -U "$role" -d postgres -w -qtAX -c 'SELECT 1' >/dev/null 2>&1; then ok=0; fi
  rm -f "$passfile"
  return $ok
}
password=""
[ -s "$DB_PASSWORD_FILE" ] && password=$(<"$DB_PASSWORD_FILE")
[ -n "$password" ] || password=$(ini_db_password)
[ "$password" != "$ROLE" ] || password=""  # earlier start.sh used the role's name: replaced below
role_sql=""
if [ "$role_exists" != t ]; then
  password=${password:-$(new_secret)}
  role_sql="CREATE ROLE $ROLE LOGIN PASSWORD '$password';"
elif [ -n "$password" ]; then
  role_accepts "$password" \
    || die "role $ROLE does not accept the password in $DB_PASSWORD_FILE: copy that file from the checkout that set it, or $ELSEWHERE"
else  # a role this script made, whose password this state folder does not know
  password=$(new_secret)
  role_sql="ALTER ROLE $ROLE PASSWORD '$password';"
  say "role $ROLE gets a new password in $DB_PASSWORD_FILE (another checkout using database $DB must copy it)"
fi
if [ -n "$role_sql" ] || [ "$role_note" != "$MARK" ]; then  # SQL through stdin, kept out of the server log
  printf "SET log_statement = 'none'; SET log_min_error_statement = 'panic';\n%s\nCOMMENT ON ROLE %s IS '%s';\n" \
    "$role_sql" "$ROLE" "$MARK" | psql_admin postgres >/dev/null
fi
[ -s "$DB_PASSWORD_FILE" ] && [ "$(<"$DB_PASSWORD_FILE")" = "$password" ] \
  || printf '%s\n' "$password" > "$DB_PASSWORD_FILE"
if [ "$db_exists" != t ]; then
  say "creating database $DB"
  psql_admin postgres -c "CREATE DATABASE $DB OWNER $ROLE ENCODING 'UTF8' TEMPLATE template0"
  rm -f "$STATE/db.ok"
elif [ ! -e "$STATE/db.ok" ]; then
  say "reusing database $DB (its datasets, users and edits are kept)"
fi
[ "$db_note" = "$MARK" ] || psql_admin postgres -c "COMMENT ON DATABASE $DB IS '$MARK'"

# 4b. The DataStore: a write role, a read-only role (each with a random password kept in a private
# file, set through psql's stdin) and their own database; `ckan datastore set-permissions` in step 6.
ds_role() {  # ds_role ROLE EXISTS PASSWORD_FILE VARIABLE: the role has the file's password, left in VARIABLE
  local role=$1 exists=$2 file=$3 secret="" sql=""
  [ -s "$file" ] && secret=$(<"$file")
  if [ "$exists" != t ]; then
    secret=${secret:-$(new_secret)}
    sql="CREATE ROLE $role LOGIN PASSWORD '$secret';"
  elif [ -n "$secret" ]; then
    role_accepts "$secret" "$role" \
      || die "role $role does not accept the password in $file: copy that file from the checkout that set it, or $ELSEWHERE"
  else
    secret=$(new_secret)
    sql="ALTER ROLE $role PASSWORD '$secret';"
    say "role $role gets a new password in $file (another checkout using database $DS_DB must copy it)"
  fi
  if [ -n "$sql" ]; then
    printf "SET log_statement = 'none'; SET log_min_error_statement = 'panic';\n%s\nCOMMENT ON ROLE %s IS '%s';\n" \
      "$sql" "$role" "$MARK" | psql_admin postgres >/dev/null
  fi
  [ -s "$file" ] && [ "$(<"$file")" = "$secret" ] || printf '%s\n' "$secret" > "$file"
  printf -v "$4" '%s' "$secret"
}
ds_role "$DS_WRITE" "$ds_write_exists" "$DS_WRITE_PASSWORD_FILE" ds_write_password
ds_role "$DS_READ" "$ds_read_exists" "$DS_READ_PASSWORD_FILE" ds_read_password
if [ "$ds_db_exists" != t ]; then
  say "creating database $DS_DB (DataStore)"
  psql_admin postgres -c "CREATE DATABASE $DS_DB OWNER $DS_WRITE ENCODING 'UTF8' TEMPLATE template0"
  psql_admin postgres -c "COMMENT ON DATABASE $DS_DB IS '$MARK'"
  rm -f "$STATE/datastore.ok"
fi

# 5. ckan.ini: written when missing; the database URL and the settings above kept up to date.
DB_URL_LINE="sqlalchemy.url = postgresql://$ROLE:$password@127.0.0.1:5432/$DB"
DS_WRITE_LINE="ckan.datastore.write_url = postgresql://$DS_WRITE:$ds_write_password@127.0.0.1:5432/$DS_DB"
DS_READ_LINE="ckan.datastore.read_url = postgresql://$DS_READ:$ds_read_password@127.0.0.1:5432/$DS_DB"
set_db_url() {  # set the three database URL lines of $1 with bash alone (the passwords are in no argv)
  local line lines=()
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line == ckan.datastore.write_url* || $line == ckan.datastore.read_url* ]] && continue
    if [[ $line == sqlalchemy.url* ]]; then  # the DataStore's URLs follow the main one, in [app:main]
      lines+=("$DB_URL_LINE" "$DS_WRITE_LINE" "$DS_READ_LINE")
    else
      lines+=("$line")
    fi
  done <"$1"
  printf '%s\n' "${lines[@]}" >"$1.tmp"
  mv "$1.tmp" "$1"
}
urls_current() { grep -qxF "$DB_URL_LINE" "$1" && grep -qxF "$DS_WRITE_LINE" "$1" && grep -qxF "$DS_READ_LINE" "$1"; }
# Kept up to date in an existing ckan.ini too (an older start.sh wrote it without the DataStore).
SETTINGS=("ckan.site_url = $URL" "ckan.storage_path = $STORAGE" "ckan.devserver.port = $PORT"
          "ckan.plugins = $PLUGINS"
          "ckan.datastore.sqlsearch.enabled = true"
          "ckan.datatables.page_length_choices = 25 50 100 500"
          "ckanext.charts.enable_cache = false")
if [ ! -s "$INI" ]; then
  say "writing $INI"
  "$CKAN" generate config "$INI.new" >/dev/null
  "$CKAN" config-tool "$INI.new" \
    "sqlalchemy.url = postgresql://$ROLE:@127.0.0.1:5432/$DB" \
    "${SETTINGS[@]}" \
    "ckan.site_id = $SITE_ID" \
    "ckan.site_title = Rendición abierta" \
    "ckan.site_description = Informes cuatrimestrales de rendición de cuentas como datos abiertos" \
    "ckan.locale_default = es" \
    "ckan.locales_offered = es en" \
    "ckan.redis.url = redis://127.0.0.1:6379/1" \
    "ckan.webassets.path = $STATE/webassets" \
    "ckan.max_resource_size = 200" \
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3" \
    "ckan.views.default_views = " \
    "ckan.auth.create_user_via_web = false" \
    "ckan.auth.create_user_via_api = false" \
    "ckan.auth.user_create_organizations = false" \
    "ckan.auth.user_create_groups = false" \
    "ckan.devserver.host = $HOST" >/dev/null
  sed -i '/^\[logger_ckanext\]/,/^\[/ s/^level = DEBUG/level = INFO/' "$INI.new"
  set_db_url "$INI.new"
  mv "$INI.new" "$INI"
  rm -f "$TOKEN_FILE" "$STATE/db.ok"  # new signing secrets: the old token is void
else
  current=$(grep -m1 '^sqlalchemy.url' "$INI" || true)
  if ! urls_current "$INI"; then
    [[ $current == */"$DB" ]] || rm -f "$TOKEN_FILE" "$STATE/db.ok" "$STATE/datastore.ok"  # another database
    set_db_url "$INI"
  fi
  stale=()
  for setting in "${SETTINGS[@]}"; do grep -qxF "$setting" "$INI" || stale+=("$setting"); done
  [ ${#stale[@]} -eq 0 ] || "$CKAN" config-tool "$INI" "${stale[@]}" >/dev/null
fi
mkdir -p "$STORAGE"

# 6. Schema (core and plugin migrations) and the sysadmin's password.
admin_tool() {  # admin_tool [sysadmin] [token]: one CKAN process; secrets read from and written to files
  "$VENV/bin/python" - "$INI" "$ADMIN" "$ADMIN_PASSWORD_FILE" "$TOKEN_FILE" "$@" >>"$LOG" 2>&1 <<'PY'
import os
import sys

ini, admin, password_file, token_file, *jobs = sys.argv[1:]
from ckan.cli import load_config
from ckan.config.middleware import make_app

app = make_app(load_config(ini))._wsgi_app
import ckan.logic as logic
import ckan.model as model

with app.test_request_context():
    if "sysadmin" in jobs:
        with open(password_file, encoding="utf-8") as handle:
            password = handle.read().strip()
        user = model.User.by_name(admin)
        if user is None:
            site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})
            logic.get_action("user_create")({"ignore_auth": True, "user": site_user["name"]}, {
                "name": admin, "email": "admin@rendicion.invalid", "password": password})
            user = model.User.by_name(admin)
            print(f"portal: created the sysadmin {admin}")
        else:  # the database was reused: the user stays, with this state folder's password
            user.password = password
            user.state = "active"
            print(f"portal: new password for the existing user {admin}")
        user.sysadmin = True
        model.Session.add(user)
        model.repo.commit_and_remove()
    if "token" in jobs:
        token = logic.get_action("api_token_create")({"ignore_auth": True}, {"user": admin, "name": "portal"})
        fd = os.open(token_file + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token["token"] + "\n")
        os.replace(token_file + ".new", token_file)
        print(f"portal: new API token for {admin}")
PY
}
needs_admin=false  # db.ok: the schema is up to date and the sysadmin has this state folder's password
if [ ! -e "$STATE/db.ok" ]; then
  say "bringing the schema of $DB up to date (ckan db upgrade)"
  "$CKAN" -c "$INI" db upgrade >>"$LOG" 2>&1 || die "ckan db upgrade failed"
  needs_admin=true
fi
[ -s "$ADMIN_PASSWORD_FILE" ] || { new_secret > "$ADMIN_PASSWORD_FILE"; needs_admin=true; }
if [ ! -e "$STATE/datastore.ok" ]; then  # the SQL goes to psql's stdin; it names roles, never passwords
  say "setting the DataStore's permissions (ckan datastore set-permissions)"
  "$CKAN" -c "$INI" datastore set-permissions 2>>"$LOG" | psql_admin postgres >>"$LOG" 2>&1 \
    || die "ckan datastore set-permissions failed"
  touch "$STATE/datastore.ok"
fi

# 7. The web server, in its own session so that it outlives this shell; meanwhile, the sysadmin.
if ! status_ok; then
  say "starting CKAN on $URL (log: $LOG)"
  cd "$STATE"
  # What `ckan run` did before serving; then gunicorn, as production CKAN runs: $WORKERS processes
  # (Werkzeug's server was one, where concurrent requests queued), each opening its own connections.
  "$CKAN" -c "$INI" translation js >>"$LOG" 2>&1 || die "ckan translation js failed"
  setsid nohup env CKAN_INI="$INI" "$VENV/bin/gunicorn" --workers "$WORKERS" --bind "$HOST:$PORT" \
    --timeout 300 --graceful-timeout 5 ckanext.rendicion.wsgi:application >>"$LOG" 2>&1 </dev/null 9>&- &
  echo $! > "$PIDFILE"
fi
admin_jobs=()
if $needs_admin; then admin_jobs+=(sysadmin); fi
[ -s "$TOKEN_FILE" ] || admin_jobs+=(token)
if [ ${#admin_jobs[@]} -gt 0 ]; then
  say "setting up the sysadmin $ADMIN (${admin_jobs[*]})"
  admin_tool "${admin_jobs[@]}" || die "could not set up the sysadmin $ADMIN"
fi
if $needs_admin; then touch "$STATE/db.ok"; fi
for _ in $(seq 120); do
  status_ok && break
  our_pid_alive || die "CKAN exited while starting"
  sleep 0.25
done
status_ok || die "CKAN did not answer on $URL within 30 s"

# 8. The API token is kept across restarts while the portal accepts it.
if ! token_ok; then
  say "creating an API token for $ADMIN in $TOKEN_FILE"
  admin_tool token || die "could not create an API token"
  token_ok || die "the portal does not accept the new API token"
fi
echo "$URL"
