import { existsSync, readFileSync } from 'node:fs';

/** The last lines of a server's log, for an error message; the file may not exist yet. */
export function tailOf(path: string, lines: number): string {
  if (!existsSync(path)) return '(no log written yet)';
  const content = readFileSync(path, 'utf8').trimEnd().split('\n');
  return content.slice(-lines).join('\n');
}
