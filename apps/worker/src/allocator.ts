import { readFileSync } from 'node:fs';

/**
 * The allocator this process runs on: jemalloc when start.sh preloaded it (and the library
 * loaded), else glibc's malloc; `unknown` where /proc is not there to tell.
 */
export function detectAllocator(): 'jemalloc' | 'glibc' | 'unknown' {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'unknown';
    throw error;
  }
  return maps.includes('libjemalloc') ? 'jemalloc' : 'glibc';
}
