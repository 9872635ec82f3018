#!/bin/sh
# Starts the bundled worker with its memory settings. The build copies this file and
# find-jemalloc.sh beside the bundle (dist/start.sh, next to dist/main.mjs). The image's entry script,
# `npm run start -w @tidewater/worker`, the quickstart and the end-to-end bench all start the
# worker through it, so what the bench measures is what operators run.
#
# The settings, measured with the end-to-end bench (bench/README.md, `end-to-end`):
# - the allocator: jemalloc where the system has it (Debian's libjemalloc2; the image installs
#   it), two arenas, freed pages returned after a second by a background thread. glibc's malloc
#   kept 30-40 MB more after a run, freed but fragmented, for no throughput gained. Without jemalloc (or
#   with TIDEWATER_WORKER_ALLOCATOR=glibc) glibc gets two arenas, blocks of 64 KiB and more
#   mapped on their own, and its heap top trimmed past 128 KiB;
# - V8: semi-spaces of at most 8 MiB (the young generation's default grows to 64 MiB, and a
#   worker's garbage is short-lived batches), and the old generation let grow to 1.7 times
#   what survived the last full collection before the next one (V8 otherwise allows up to four
#   times while collections are cheap, as they are while batches stream through): at twice,
#   the peak RSS fell from about 410 to 335 MB in the end-to-end bench for no throughput loss
#   beyond its noise; at 1.7, once the pipeline promoted less (values in reused slabs, row
#   images released once encoded, a smaller window), from about 270 to 245 MB, again for no
#   throughput lost (issue 13's note; 1.5 cost a quarter of the snapshot's rate). In the worker's memory-saving GC mode (TIDEWATER_WORKER_GC=memory, gc-mode.ts)
#   the semi-spaces are 4 MiB: there they took the peak from about 285 to 255 MB for the same
#   throughput, while in the default mode they saved nothing. (The worker validates the
#   variable; this script only reads it.)
# Each can be overridden from the environment: LD_PRELOAD, MALLOC_CONF (jemalloc) and MALLOC_*
# (glibc) as the libraries read them, and TIDEWATER_WORKER_NODE_FLAGS, Node and V8 flags added
# after these (a later flag wins). TIDEWATER_NODE names the node binary (default: the one on
# PATH).
set -eu
here=$(dirname "$0")
allocator="${TIDEWATER_WORKER_ALLOCATOR:-jemalloc}"
case "$allocator" in
  jemalloc | glibc) ;;
  *)
    echo "TIDEWATER_WORKER_ALLOCATOR=$allocator: use jemalloc (the default) or glibc." >&2
    exit 2
    ;;
esac
# shellcheck source=find-jemalloc.sh
. "$here/find-jemalloc.sh"
if [ "$allocator" = jemalloc ] && [ -z "${LD_PRELOAD:-}" ] && library=$(find_jemalloc); then
  export LD_PRELOAD="$library"
  export MALLOC_CONF="${MALLOC_CONF:-background_thread:true,narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0}"
fi
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-65536}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}"
semi_space_mib=8
if [ "${TIDEWATER_WORKER_GC:-}" = memory ]; then semi_space_mib=4; fi
# shellcheck disable=SC2086 # the flags are words on purpose
exec "${TIDEWATER_NODE:-node}" --max-semi-space-size=$semi_space_mib --heap-growing-percent=70 \
  ${TIDEWATER_WORKER_NODE_FLAGS:-} \
  "$here/main.mjs" "$@"
