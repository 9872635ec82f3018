import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import { TidewaterError } from '@tidewater/errors';

/** Server binaries live in sbin on Debian, which a non-root PATH often lacks. */
const extraDirectories = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The first of `names` found on the PATH (or in sbin), or an error saying what to install. */
export function findExecutable(names: string[], remedy: string): string {
  const directories = [...(process.env.PATH ?? '').split(delimiter), ...extraDirectories];
  for (const name of names) {
    for (const directory of directories) {
      if (directory === '') continue;
      const candidate = join(directory, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch (error) {
        if (!(error instanceof Error && 'code' in error)) throw error;
      }
    }
  }
  throw new TidewaterError('STACK_PROGRAM_MISSING', `${names[0]} is not installed.`, {
    category: 'unavailable',
    remedy,
    details: { program: names[0] },
  });
}
