#!/bin/sh
# What `npm test` needs from the machine besides Node.js (scripts/node24.sh) and the running
# PostgreSQL and Redis: Chromium for the browser tests, Docker Compose to validate
# docker-compose.yml, MariaDB's server binaries for the stack's source, a JDK 17 and Maven for
# Kafka, the registry and the conformance suites, and jemalloc for the worker. Missing Debian
# packages are installed when this runs as root with apt-get (as on CI and a fresh Debian
# machine); otherwise it stops with the one command that installs them.
set -eu

has() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

missing=""
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable." >&2; exit 1; }
else
  has chromium || missing="$missing chromium"
fi
has docker-compose || docker compose version >/dev/null 2>&1 || missing="$missing docker-compose"
has mariadbd || missing="$missing mariadb-server"
# A JDK, not a JRE: the conformance suites compile their Java tools with Maven.
has javac || missing="$missing openjdk-17-jdk-headless"
has mvn || missing="$missing maven"
# The stack makes the test broker's TLS certificates with it.
has openssl || missing="$missing openssl"
# The worker's allocator (apps/worker/start.sh), as in the image: the tests and the bench run
# the worker the way it runs in production. Looked for where the launcher looks.
case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac
# shellcheck source=../apps/worker/find-jemalloc.sh
. "$here/../apps/worker/find-jemalloc.sh"
find_jemalloc >/dev/null || missing="$missing libjemalloc2"

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing what the tests need:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi
echo "The tests need:$missing. Install them (Debian 12):" >&2
echo "  sudo apt-get install -y$missing" >&2
exit 1
