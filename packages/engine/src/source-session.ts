import type { SourceConfig } from '@tidewater/config';
import { connectSource, type SourceConnection } from '@tidewater/mysql-source';
import { connectionOptions } from './pipeline/source';

/** Opens a source session from a task's source configuration; the caller closes it. */
export function openSource(source: SourceConfig): Promise<SourceConnection> {
  return connectSource(connectionOptions(source));
}

export async function withSource<T>(
  source: SourceConfig,
  use: (session: SourceConnection) => Promise<T>,
): Promise<T> {
  const session = await openSource(source);
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}
