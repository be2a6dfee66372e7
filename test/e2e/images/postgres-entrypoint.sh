#!/usr/bin/env bash
# Stand-in for the official postgres image's entrypoint (docker-library/postgres,
# 17/bookworm/docker-entrypoint.sh and 18/*), written for the e2e harness. It makes
# the same decisions from the same environment, so what the harness proves about
# PGDATA, POSTGRES_* and the data volume holds for the real image:
# - an existing cluster ($PGDATA/PG_VERSION) is started as it is: POSTGRES_PASSWORD,
#   POSTGRES_USER and POSTGRES_DB apply only when the directory is initialised;
# - 18+ keeps data in /var/lib/postgresql/<major>/docker and refuses to start over
#   an older layout it can see (/var/lib/postgresql/data);
# - initdb as the current user (nss_wrapper supplies a passwd entry for a uid the
#   image does not know), "host all all all <password_encryption>" appended to
#   pg_hba.conf, listen_addresses = '*' (the image edits postgresql.conf.sample).
# Differences: POSTGRES_DB is created in single-user mode instead of through a
# temporary server and psql (the server build the harness uses ships no psql), and
# /docker-entrypoint-initdb.d scripts are not supported (none are rendered).
set -Eeo pipefail

file_env() {
  local var="$1" def="${2:-}" file_var="${1}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  local val="$def"
  if [ -n "${!var:-}" ]; then val="${!var}"; elif [ -n "${!file_var:-}" ]; then val="$(< "${!file_var}")"; fi
  export "$var"="$val"
  unset "$file_var"
}

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" != 'postgres' ]; then exec "$@"; fi
shift

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
: "${POSTGRES_HOST_AUTH_METHOD:=}"

if [ "$(id -u)" = 0 ]; then
  echo "postgres stand-in: running as root is not supported (the image would switch to the postgres user with gosu); set runAsUser" >&2
  exit 1
fi

mkdir -p "$PGDATA"
chmod 00700 "$PGDATA" || :
mkdir -p /var/run/postgresql || :
chmod 03775 /var/run/postgresql || :

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  old=()
  if [ "$PGDATA" = "/var/lib/postgresql/$PG_MAJOR/docker" ]; then
    for d in /var/lib/postgresql /var/lib/postgresql/data /var/lib/postgresql/*/docker; do
      if [ -s "$d/PG_VERSION" ]; then old+=("$d"); fi
    done
    if [ "${#old[@]}" -eq 0 ] && [ "$PG_MAJOR" -ge 18 ] && mountpoint -q /var/lib/postgresql/data; then
      old+=('/var/lib/postgresql/data (unused mount/volume)')
    fi
  fi
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
    exit 1
  fi
  if [ "${#old[@]}" -gt 0 ]; then
    echo "Error: in 18+, these images store data in /var/lib/postgresql/$PG_MAJOR/docker, but there appears to be PostgreSQL data in: ${old[*]}" >&2
    exit 1
  fi
  if ! getent passwd "$(id -u)" > /dev/null; then
    for wrapper in {/usr,}/lib{/*,}/libnss_wrapper.so; do
      if [ -s "$wrapper" ]; then
        NSS_WRAPPER_PASSWD="$(mktemp)"
        NSS_WRAPPER_GROUP="$(mktemp)"
        export LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
        printf 'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\n' "$(id -u)" "$(id -g)" "$PGDATA" > "$NSS_WRAPPER_PASSWD"
        printf 'postgres:x:%s:\n' "$(id -g)" > "$NSS_WRAPPER_GROUP"
        break
      fi
    done
  fi
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  auth="$(postgres -D "$PGDATA" -C password_encryption "$@")"
  : "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    # Single-user mode looks the user up (as initdb does): nss_wrapper is still in place here.
    printf 'CREATE DATABASE "%s";\n' "${POSTGRES_DB//\"/\"\"}" | postgres --single -D "$PGDATA" postgres > /dev/null
  fi
  if [ -n "${NSS_WRAPPER_PASSWD:-}" ]; then
    rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
    unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  fi
  echo 'PostgreSQL init process complete; ready for start up.'
else
  echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
fi

exec postgres "$@"
