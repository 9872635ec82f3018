/**
 * The transform stage: what the task sends, and under which names. Pure: an event in, the event
 * to send (or null) out, in this order:
 *
 * 1. Selection: only the task's objects (whole databases, single tables).
 * 2. DML operations: only the operations chosen per object (INSERT, UPDATE, DELETE).
 * 3. Row filter: a table's WHERE filter, on every binlog change of that table. A row change is
 *    kept when its before or its after image matches, so a consumer applying the topic holds
 *    exactly the rows that match on the source (a row leaving the filter is sent with its
 *    UPDATE; one entering it too). Snapshot chunks are filtered by the snapshot's own SQL.
 * 4. Names: renames and the capitalization policy (`name-mapping.ts`).
 *
 * BEGIN, COMMIT and heartbeats pass unchanged: they carry transaction boundaries and the
 * stream's progress, which the runner needs whatever the selection.
 */
import type {
  ChangeEvent,
  DdlEvent,
  RowEvent,
  RowImage,
  TableSchema,
} from '@tidewater/change-events';
import type { DmlOperation, TaskConfig } from '@tidewater/config';
import { createNameMapping, type NameMapping } from './name-mapping';

/** True when a row satisfies a table's filter (SQL TRUE; NULL and FALSE both fail). */
export type RowPredicate = (image: RowImage) => boolean;

/** Compiles an operator's filter against one version of its table's schema. */
export type FilterCompiler = (filter: string, schema: TableSchema) => RowPredicate;

export interface Transform {
  /** The event to send, or null when the task does not send it. */
  apply(event: ChangeEvent): ChangeEvent | null;
  /**
   * Whether the task selects a table (whole databases included), for tables created later and
   * the source's decoding; table `''` stands for the database itself (selected when the whole
   * database or one of its tables is).
   */
  isSelectedTable(database: string, table: string): boolean;
  readonly names: NameMapping;
}

export function createTransform(
  config: Pick<TaskConfig, 'objects' | 'advanced'>,
  compileFilter: FilterCompiler | null = null,
): Transform {
  const databases = new Map<string, Set<DmlOperation>>();
  const tables = new Map<string, { dml: Set<DmlOperation>; filter: string | null }>();
  const databasesWithTables = new Set<string>();
  for (const object of config.objects) {
    if (object.kind === 'database') databases.set(object.database, new Set(object.dml));
    else {
      tables.set(tableKey(object.database, object.table), {
        dml: new Set(object.dml),
        filter: object.filter ? object.filter : null,
      });
      databasesWithTables.add(object.database);
    }
  }
  const names = createNameMapping(config.objects, config.advanced.capitalization);
  const operationsFor = (database: string, table: string): Set<DmlOperation> | null =>
    tables.get(tableKey(database, table))?.dml ?? databases.get(database) ?? null;

  // One compiled predicate per schema version: a DDL gives the table a new schema object.
  const predicates = new WeakMap<TableSchema, RowPredicate | null>();
  const predicateOf = (schema: TableSchema): RowPredicate | null => {
    let predicate = predicates.get(schema);
    if (predicate === undefined) {
      const filter = tables.get(tableKey(schema.database, schema.table))?.filter ?? null;
      predicate = filter === null || compileFilter === null ? null : compileFilter(filter, schema);
      predicates.set(schema, predicate);
    }
    return predicate;
  };

  const rename = <E extends ChangeEvent>(event: E): E => {
    if (names.isIdentity) return event;
    if (event.kind === 'ddl') return renameDdl(event, names) as E;
    if (isRow(event)) {
      const schema = names.tableSchema(event.schema);
      return (schema === event.schema ? event : { ...event, schema }) as E;
    }
    return event;
  };

  return {
    names,
    isSelectedTable: (database, table) =>
      table === ''
        ? databases.has(database) || databasesWithTables.has(database)
        : operationsFor(database, table) !== null,
    apply(event) {
      switch (event.kind) {
        case 'snapshot':
          return operationsFor(event.schema.database, event.schema.table) === null
            ? null
            : rename(event);
        case 'insert':
        case 'update':
        case 'delete': {
          const { database, table } = event.schema;
          if (!(operationsFor(database, table)?.has(event.kind) ?? false)) return null;
          const predicate = predicateOf(event.schema);
          const kept = predicate === null ? event : filterRows(event, predicate);
          return kept === null ? null : rename(kept);
        }
        case 'ddl': {
          const isSelected =
            event.table === ''
              ? databases.has(event.database) || databasesWithTables.has(event.database)
              : operationsFor(event.database, event.table) !== null;
          return isSelected ? rename(event) : null;
        }
        case 'begin':
        case 'commit':
        case 'heartbeat':
          return event;
      }
    },
  };
}

function tableKey(database: string, table: string): string {
  return `${database}\u0000${table}`;
}

function isRow(event: ChangeEvent): event is RowEvent {
  return (
    event.kind === 'snapshot' ||
    event.kind === 'insert' ||
    event.kind === 'update' ||
    event.kind === 'delete'
  );
}

/** The event with only the rows whose before or after image matches; null when none does. */
function filterRows(
  event: Extract<RowEvent, { kind: 'insert' | 'update' | 'delete' }>,
  matches: RowPredicate,
): RowEvent | null {
  switch (event.kind) {
    case 'insert':
    case 'delete': {
      const rows = event.rows.filter((row) => matches(row));
      if (rows.length === event.rows.length) return event;
      return rows.length === 0 ? null : { ...event, rows };
    }
    case 'update': {
      const rows = event.rows.filter((pair) => matches(pair.before) || matches(pair.after));
      if (rows.length === event.rows.length) return event;
      return rows.length === 0 ? null : { ...event, rows };
    }
  }
}

function renameDdl(event: DdlEvent, names: NameMapping): DdlEvent {
  const database = event.database === '' ? '' : names.database(event.database);
  const table = event.table === '' ? '' : names.table(event.database, event.table);
  return database === event.database && table === event.table
    ? event
    : { ...event, database, table };
}

/** `CREATE TABLE `t`` of SHOW CREATE TABLE with the destination table name. */
export function renameCreateTable(createTable: string, table: string): string {
  const quoted = `\`${table.replaceAll('`', '``')}\``;
  return createTable.replace(
    /^(\s*CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)/i,
    (_match, head: string) => `${head}${quoted}`,
  );
}
