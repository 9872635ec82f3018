import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TidewaterError } from '@tidewater/errors';

/**
 * Applies prisma/migrations to the database, exactly as `prisma migrate deploy` would, and
 * records each one in Prisma's own `_prisma_migrations` table with Prisma's checksum
 * (SHA-256 of migration.sql), so either tool can take over from the other.
 *
 * Why not `prisma migrate deploy` itself: it runs Prisma's native schema engine, which the
 * CLI downloads on first use from Prisma's binary host; offline and firewalled installations
 * (the ones a self-hosted transfer service runs in) cannot fetch it. This runner needs only
 * the PostgreSQL connection. An advisory lock keeps concurrent starts (web and worker) from
 * applying a migration twice; each migration runs in its own transaction.
 */

const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../prisma/migrations',
);
/** Prisma's own advisory lock key for migrations, so we also exclude a concurrent Prisma CLI. */
const ADVISORY_LOCK_KEY = 72707369;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrateDatabase(databaseUrl: string): Promise<MigrationResult> {
  await createDatabaseIfMissing(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const done = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const byName = new Map(done.rows.map((row) => [row.migration_name, row]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of await listMigrations()) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = byName.get(name);
      if (previous) {
        if (!previous.finished_at) {
          throw new TidewaterError(
            'DATABASE_MIGRATION_INCOMPLETE',
            `Database migration ${name} started earlier but did not finish.`,
            {
              category: 'internal',
              remedy:
                'Inspect the database, fix or roll back the migration by hand, then delete its row from "_prisma_migrations".',
            },
          );
        }
        if (previous.checksum !== checksum) {
          throw new TidewaterError(
            'DATABASE_MIGRATION_CHANGED',
            `Database migration ${name} was changed after it was applied.`,
            {
              category: 'internal',
              remedy:
                'Restore the migration file as released; put schema changes in a new migration.',
            },
          );
        }
        result.alreadyApplied.push(name);
        continue;
      }
      const id = randomUUID();
      await client.query('BEGIN');
      try {
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, checksum, name],
        );
        await client.query(sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new TidewaterError(
          'DATABASE_MIGRATION_FAILED',
          `Database migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            category: 'internal',
            remedy: 'Nothing of this migration was applied; fix the cause and start again.',
            cause: error,
          },
        );
      }
      result.applied.push(name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function listMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Creates the URL's database when the server has no such database yet. */
async function createDatabaseIfMissing(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return;
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw databaseUnreachable(error);
  } finally {
    await probe.end().catch(() => undefined);
  }
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Another process may have created it between our probe and now.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
}

function databaseUnreachable(error: unknown): TidewaterError {
  return new TidewaterError(
    'DATABASE_UNREACHABLE',
    `PostgreSQL did not accept a connection: ${error instanceof Error ? error.message : String(error)}`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Start PostgreSQL (npm run stack -- status shows what is down) and check DATABASE_URL.',
      cause: error,
    },
  );
}
