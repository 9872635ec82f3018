import type { SourceConfig } from '@tidewater/config';
import { connectSource, type SourceConnection } from '@tidewater/mysql-source';

/** Opens a source session from a task's source configuration; the caller closes it. */
export function openSource(source: SourceConfig): Promise<SourceConnection> {
  return connectSource({
    host: source.host,
    port: source.port,
    user: source.user,
    password: source.password ?? '',
    tls: source.tls.enabled
      ? { ca: source.tls.ca, rejectUnauthorized: source.tls.rejectUnauthorized }
      : null,
  });
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
