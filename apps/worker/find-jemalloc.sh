# Sourced, not run: defines find_jemalloc, which prints the path of jemalloc's shared library
# where the system has one (Debian's libjemalloc2, any architecture Debian lays out, or the
# usual library folders) and fails where it has none. The worker's launcher (start.sh, copied
# beside it into dist/) preloads what it finds; scripts/test-prerequisites.sh asks for the
# package when it finds nothing. Shell built-ins only: the prerequisites test runs it with an
# empty PATH.
find_jemalloc() {
  for library in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
    /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 \
    /usr/lib/libjemalloc.so.2; do
    if [ -r "$library" ]; then
      echo "$library"
      return 0
    fi
  done
  return 1
}
