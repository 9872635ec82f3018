#!/bin/sh
# The image's one entry point: the first argument says which part of Tidewater this container is.
#   web (default)  the console and HTTP API on $PORT (3000), all interfaces
#   worker         a worker (health and metrics on $TIDEWATER_WORKER_HTTP_PORT, 9464)
#   migrate        applies the database migrations and exits (run before web and workers)
# Anything else runs as a command (`docker run -it IMAGE sh`).
set -eu
# /app in the image; wherever this file is, for a folder laid out the same way.
cd "$(dirname "$0")"
role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi
case "$role" in
  web) exec node apps/web/server.mjs --port "${PORT:-3000}" --hostname 0.0.0.0 "$@" ;;
  worker) exec sh apps/worker/dist/start.sh "$@" ;;
  migrate) exec node apps/worker/dist/migrate.mjs "$@" ;;
  *) exec "$role" "$@" ;;
esac
