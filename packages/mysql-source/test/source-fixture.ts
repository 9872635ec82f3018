/**
 * What the integration tests share: the source they run against (TIDEWATER_TEST_SOURCE_URL,
 * the local stack's MariaDB by default) and scratch databases and users with unique names, so
 * test files can run in any order and side by side.
 */

import { randomBytes } from 'node:crypto';
import { connectSource, parseSourceUrl, type SourceConnection } from '../src/connect';
import type { SourceConnectionOptions } from '../src/connect';
import { quoteIdentifier } from '../src/identifiers';
import { uniqueName as kitUniqueName } from '@tidewater/test-kit';

export const sourceUrl = process.env.TIDEWATER_TEST_SOURCE_URL ?? 'mysql://root@127.0.0.1:3307';

export function sourceOptions(): SourceConnectionOptions {
  return parseSourceUrl(sourceUrl);
}

export function uniqueName(label: string): string {
  return kitUniqueName(`tw_${label}`);
}

export interface ScratchDatabase {
  name: string;
  /** Where the database lives (root). */
  source: SourceConnectionOptions;
  /** A root session with the scratch database as its default. */
  admin: SourceConnection;
  exec(sql: string, values?: unknown[]): Promise<void>;
  /** Drops the database and every user created through `createUser`. */
  drop(): Promise<void>;
  createUser(label: string, grants: string[]): Promise<SourceConnectionOptions>;
}

/** A scratch database on the test source, or on `source` (a private server) when given. */
export async function createScratchDatabase(
  label: string,
  source: SourceConnectionOptions = sourceOptions(),
): Promise<ScratchDatabase> {
  const name = uniqueName(label);
  const admin = await connectSource(source);
  await admin.connection.query(`CREATE DATABASE ${quoteIdentifier(name)} CHARACTER SET utf8mb4`);
  await admin.connection.query(`USE ${quoteIdentifier(name)}`);
  const users: string[] = [];
  return {
    name,
    source,
    admin,
    exec: async (sql, values) => {
      await admin.connection.query(sql, values);
    },
    createUser: async (userLabel, grants) => {
      const user = uniqueName(userLabel).slice(0, 32);
      const password = randomBytes(8).toString('hex');
      await admin.connection.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      users.push(user);
      for (const grant of grants) {
        await admin.connection.query(
          grant.replaceAll('{user}', `'${user}'@'%'`).replaceAll('{db}', quoteIdentifier(name)),
        );
      }
      return { ...source, user, password };
    },
    drop: async () => {
      for (const user of users) await admin.connection.query(`DROP USER IF EXISTS ?@'%'`, [user]);
      await admin.connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
      await admin.close();
    },
  };
}
