#!/usr/bin/env bash
# `make serve`: the production server on this machine. Migrates the configured database
# (DATABASE_URL, else the SQLite file under var/), collects the static files, then runs gunicorn
# (gunicorn.conf.py) with a private Redis for the shared cache (scripts/with_redis.py) unless
# DJANGO_REDIS_URL names one. Every setting comes from the environment (README, "Configuration");
# only what a fresh clone lacks gets a default here.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    # A key of this machine's own, kept out of the repository (var/ is ignored); production sets its own.
    keyfile=var/secret_key
    mkdir -p var
    [ -s "$keyfile" ] || (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" >"$keyfile")
    DJANGO_SECRET_KEY="$(cat "$keyfile")"
    export DJANGO_SECRET_KEY
    echo "serve: DJANGO_SECRET_KEY read from $keyfile"
fi
case "${HOST:=127.0.0.1}" in
127.0.0.1 | localhost | ::1)
    # Plain http on this machine's loopback: no redirect to https. Behind a TLS proxy, set
    # DJANGO_BEHIND_TLS_PROXY=1 and leave DJANGO_HTTPS on (its default without debug).
    export DJANGO_HTTPS=${DJANGO_HTTPS:-0}
    export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
    ;;
esac
export HOST PORT=${PORT:-8000}

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
echo "Serving on http://$HOST:$PORT/ with gunicorn (Ctrl-C to stop)"
exec "$PY" scripts/with_redis.py "$PY" -m gunicorn -c gunicorn.conf.py ccb_portal.wsgi
