import { TidewaterError } from '@tidewater/errors';
import pg from 'pg';

import { describeEndpoint, withDatabase } from './endpoints';
import type { StackEndpoints } from './endpoints';
import { describeFailure, probeRedis } from './probes';

/**
 * PostgreSQL and Redis belong to the machine (or to Docker Compose): the stack checks that
 * they answer and creates the application's databases, but never starts or stops them.
 */

const postgresRemedy =
  'Install and start PostgreSQL 15 or newer listening on 127.0.0.1:5432: ' +
  '`apt-get install -y postgresql && pg_ctlcluster 15 main start` (Debian 12), ' +
  'or `docker compose up -d postgres`; or point DATABASE_URL at an existing server.';

const redisRemedy =
  'Install and start Redis 7 on 127.0.0.1:6379: `apt-get install -y redis-server && ' +
  'service redis-server start` (Debian), or `docker compose up -d redis`; or set REDIS_URL.';

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Connects to the server's maintenance database and creates the app and test databases. */
export async function ensurePostgres(endpoints: StackEndpoints): Promise<void> {
  const maintenanceUrl = withDatabase(endpoints.postgres.url, 'postgres');
  const client = new pg.Client({
    connectionString: maintenanceUrl,
    connectionTimeoutMillis: 3_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new TidewaterError(
      'STACK_POSTGRES_UNAVAILABLE',
      `PostgreSQL does not answer at ${describeEndpoint('postgres', endpoints)}: ${describeFailure(error)}.`,
      { category: 'unavailable', isRetryable: true, remedy: postgresRemedy, cause: error },
    );
  }
  try {
    for (const url of [endpoints.postgres.url, endpoints.postgres.testUrl]) {
      const name = databaseName(url);
      const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (existing.rowCount === 0) {
        try {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        } catch (error) {
          // Two `up`s racing: the other one created it between our check and our create.
          const code = error instanceof Error && 'code' in error ? error.code : undefined;
          if (code !== '42P04' && code !== '23505') throw error;
        }
      }
    }
  } finally {
    await client.end();
  }
}

export async function ensureRedis(endpoints: StackEndpoints): Promise<void> {
  const result = await probeRedis(endpoints.redis.url);
  if (!result.isUp) {
    throw new TidewaterError(
      'STACK_REDIS_UNAVAILABLE',
      `Redis does not answer at ${describeEndpoint('redis', endpoints)}: ${result.detail}.`,
      { category: 'unavailable', isRetryable: true, remedy: redisRemedy },
    );
  }
}
