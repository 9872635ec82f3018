import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in `packages/stack/src/`. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Everything the stack downloads, formats and writes lives here (git-ignored). */
export const stackDir = process.env.TIDEWATER_STACK_DIR || join(repoRoot, '.stack');

export const mariadbDir = join(stackDir, 'mariadb');
export const kafkaDir = join(stackDir, 'kafka');
export const registryDir = join(stackDir, 'registry');

/** A path as the operator should see it in messages: relative to the repository. */
export function displayPath(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * A Unix socket path must fit in sun_path (108 bytes on Linux). Inside `.stack/` when it fits;
 * otherwise in the temporary directory under a name derived from the stack directory, so two
 * clones never share a socket.
 */
export function socketPath(preferred: string): string {
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const digest = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return join(tmpdir(), `tidewater-${digest}.sock`);
}
