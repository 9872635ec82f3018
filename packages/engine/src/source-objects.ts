import { MAX_FILTER_LENGTH } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import {
  findTable,
  listDatabases,
  listTables,
  readTableSchema,
  validateRowFilter,
} from '@tidewater/mysql-source';
import { z } from 'zod';
import type { EngineContext } from './context';
import { withSource } from './source-session';
import { invalidInput } from './validation';

/** The wizard's Source Objects tree and its server-side filter check, on a saved draft. */

export interface SourceObjectTree {
  databases: Array<{
    name: string;
    tables: Array<{
      name: string;
      type: 'table' | 'view';
      estimatedRows: number | null;
      dataBytes: number | null;
    }>;
  }>;
}

export async function listSourceObjects(
  context: EngineContext,
  taskId: string,
): Promise<SourceObjectTree> {
  const config = await context.tasks.readTaskConfig(taskId);
  return withSource(config.source, async (session) => {
    const databases = await listDatabases(session.connection);
    const tree: SourceObjectTree = { databases: [] };
    for (const database of databases) {
      const tables = await listTables(session.connection, database.name);
      tree.databases.push({
        name: database.name,
        tables: tables.map((table) => ({
          name: table.name,
          type: table.type,
          estimatedRows: table.estimatedRows,
          dataBytes: table.dataBytes,
        })),
      });
    }
    return tree;
  });
}

const filterBody = z.strictObject({
  database: z.string().min(1, 'Name the database.'),
  table: z.string().min(1, 'Name the table.'),
  filter: z.string().max(MAX_FILTER_LENGTH, `A filter is at most ${MAX_FILTER_LENGTH} characters.`),
});

export interface FilterCheck {
  isValid: boolean;
  /** The filter as Tidewater will run it, when valid. */
  sql: string | null;
  error: { code: string; message: string; remedy: string } | null;
}

/** Checks a WHERE filter against the real table: parsed, allow-listed, then resolved by the source. */
export async function validateFilter(
  context: EngineContext,
  taskId: string,
  body: unknown,
): Promise<FilterCheck> {
  const config = await context.tasks.readTaskConfig(taskId);
  const parsed = filterBody.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const { database, table, filter } = parsed.data;
  if (filter.trim() === '') return { isValid: true, sql: null, error: null };
  try {
    return await withSource(config.source, async (session) => {
      const found = await findTable(session.connection, database, table);
      if (!found) {
        throw new TidewaterError(
          'SOURCE_TABLE_NOT_FOUND',
          `There is no table ${database}.${table} on the source.`,
          {
            category: 'not_found',
            remedy: 'Pick the table from the Source Objects list.',
          },
        );
      }
      const schema = await readTableSchema(session.connection, database, table);
      const checked = await validateRowFilter(session.connection, filter, schema);
      return { isValid: true, sql: checked.sql, error: null };
    });
  } catch (error) {
    if (
      error instanceof TidewaterError &&
      error.category !== 'unavailable' &&
      error.category !== 'internal'
    ) {
      return {
        isValid: false,
        sql: null,
        error: { code: error.code, message: error.message, remedy: error.remedy },
      };
    }
    throw error;
  }
}
