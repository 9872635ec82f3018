/**
 * The table schemas as of a binlog position: the definitions read from the source at the start,
 * then every DDL of the stream applied in order. Rows are decoded with the schema they were
 * written with, which the binlog itself does not carry on MySQL 5.7 and PolarDB-X.
 *
 * States are immutable: a DDL produces a new state and leaves the old one intact, so the state
 * that belonged to a commit can be persisted with that commit's checkpoint later, after the
 * stream has moved on. Serialised as JSON (`SerializedSchemaHistory`, versioned).
 */
import type { ColumnSchema, TableSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import type { ColumnDeclaration } from './column-declaration';
import type { AlterAction, ColumnPosition, SchemaChange } from './ddl-parser';

export interface TrackedTable {
  schema: TableSchema;
  /** The table's default charset: what a column added without one gets. */
  defaultCharset: string;
  /**
   * The table's default collation, which a column added without a charset gets; absent or null
   * when not known (a table created or converted in the stream without COLLATE).
   */
  defaultCollation?: string | null;
}

export interface SerializedSchemaHistory {
  version: 1;
  /** The server's default charset, for databases created without one. */
  serverCharset: string;
  /** Whether names compare case-insensitively (`lower_case_table_names` ≠ 0). */
  isCaseInsensitive: boolean;
  databases: Record<string, string>;
  tables: TrackedTable[];
}

/** One immutable state of the history. */
export class SchemaState {
  private constructor(
    readonly serverCharset: string,
    readonly isCaseInsensitive: boolean,
    private readonly databases: ReadonlyMap<string, string>,
    private readonly tables: ReadonlyMap<string, TrackedTable>,
  ) {}

  static create(options: {
    serverCharset: string;
    isCaseInsensitive: boolean;
    databases?: Record<string, string>;
    tables?: TrackedTable[];
  }): SchemaState {
    const normalize = (name: string): string =>
      options.isCaseInsensitive ? name.toLowerCase() : name;
    const databases = new Map<string, string>();
    for (const [name, charset] of Object.entries(options.databases ?? {}))
      databases.set(normalize(name), charset);
    const tables = new Map<string, TrackedTable>();
    for (const tracked of options.tables ?? []) {
      tables.set(
        tableKey(normalize(tracked.schema.database), normalize(tracked.schema.table)),
        tracked,
      );
    }
    return new SchemaState(options.serverCharset, options.isCaseInsensitive, databases, tables);
  }

  static fromJSON(value: SerializedSchemaHistory): SchemaState {
    if (value?.version !== 1 || !Array.isArray(value.tables)) {
      throw new TidewaterError(
        'SCHEMA_HISTORY_INVALID',
        'The saved schema history has an unknown format.',
        {
          category: 'invalid_input',
          remedy:
            'Restart the incremental stage from a new snapshot so the schema history is read again.',
        },
      );
    }
    return SchemaState.create(value);
  }

  toJSON(): SerializedSchemaHistory {
    return {
      version: 1,
      serverCharset: this.serverCharset,
      isCaseInsensitive: this.isCaseInsensitive,
      databases: Object.fromEntries(this.databases),
      tables: [...this.tables.values()],
    };
  }

  private normalize(name: string): string {
    return this.isCaseInsensitive ? name.toLowerCase() : name;
  }

  get tableCount(): number {
    return this.tables.size;
  }

  getTable(database: string, table: string): TrackedTable | undefined {
    return this.tables.get(tableKey(this.normalize(database), this.normalize(table)));
  }

  hasDatabase(database: string): boolean {
    return this.databases.has(this.normalize(database));
  }

  databaseCharset(database: string): string {
    return this.databases.get(this.normalize(database)) ?? this.serverCharset;
  }

  /** A new state with the table set (or replaced). */
  withTable(tracked: TrackedTable): SchemaState {
    const tables = new Map(this.tables);
    tables.set(
      tableKey(this.normalize(tracked.schema.database), this.normalize(tracked.schema.table)),
      tracked,
    );
    return new SchemaState(this.serverCharset, this.isCaseInsensitive, this.databases, tables);
  }

  /** A new state with the table removed. */
  withoutTable(database: string, table: string): SchemaState {
    const tables = new Map(this.tables);
    tables.delete(tableKey(this.normalize(database), this.normalize(table)));
    return new SchemaState(this.serverCharset, this.isCaseInsensitive, this.databases, tables);
  }

  private withDatabase(database: string, charset: string | null): SchemaState {
    const databases = new Map(this.databases);
    databases.set(this.normalize(database), charset ?? this.serverCharset);
    return new SchemaState(this.serverCharset, this.isCaseInsensitive, databases, this.tables);
  }

  private withoutDatabase(database: string): SchemaState {
    const name = this.normalize(database);
    const databases = new Map(this.databases);
    databases.delete(name);
    const tables = new Map([...this.tables].filter(([key]) => !key.startsWith(`${name}\0`)));
    return new SchemaState(this.serverCharset, this.isCaseInsensitive, databases, tables);
  }

  /**
   * Applies the changes of one DDL statement. Returns the new state and the tables it could not
   * follow (an ALTER of a table it does not know, CREATE … SELECT), for the caller to re-read.
   */
  apply(changes: SchemaChange[]): {
    state: SchemaState;
    reread: Array<{ database: string; table: string }>;
  } {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the fold starts from this state
    let state: SchemaState = this;
    const reread: Array<{ database: string; table: string }> = [];
    for (const change of changes) {
      switch (change.type) {
        case 'create_table': {
          if (change.ifNotExists && state.getTable(change.database, change.table)) break;
          const defaultCharset = change.defaultCharset ?? state.databaseCharset(change.database);
          const columns = change.columns.map((declaration) =>
            resolveCharset(declaration, defaultCharset, null),
          );
          const primaryKey = change.primaryKey;
          const uniqueKeys: Record<string, string[]> = {};
          for (const key of change.uniqueKeys)
            uniqueKeys[uniqueKeyName(uniqueKeys, key.name, key.columns)] = key.columns;
          state = state.withTable({
            defaultCharset,
            schema: {
              database: change.database,
              table: change.table,
              columns: columns.map((column) =>
                primaryKey.includes(column.name) ? { ...column, nullable: false } : column,
              ),
              primaryKey,
              uniqueKeys,
            },
          });
          break;
        }
        case 'create_table_like': {
          const source = state.getTable(change.sourceDatabase, change.sourceTable);
          if (!source) {
            reread.push({ database: change.database, table: change.table });
            break;
          }
          state = state.withTable({
            defaultCharset: source.defaultCharset,
            defaultCollation: source.defaultCollation ?? null,
            schema: {
              ...structuredClone(source.schema),
              database: change.database,
              table: change.table,
            },
          });
          break;
        }
        case 'alter_table': {
          const tracked = state.getTable(change.database, change.table);
          if (!tracked) {
            reread.push({ database: change.database, table: change.table });
            break;
          }
          try {
            const altered = applyAlter(tracked, change.actions);
            state = state.withoutTable(change.database, change.table).withTable(altered);
          } catch (error) {
            if (!(error instanceof AlterError)) throw error;
            reread.push({ database: change.database, table: change.table });
          }
          break;
        }
        case 'drop_table':
          state = state.withoutTable(change.database, change.table);
          break;
        case 'rename_table': {
          const tracked = state.getTable(change.database, change.table);
          state = state.withoutTable(change.database, change.table);
          if (tracked) {
            state = state.withTable({
              ...tracked,
              schema: { ...tracked.schema, database: change.newDatabase, table: change.newTable },
            });
          } else {
            reread.push({ database: change.newDatabase, table: change.newTable });
          }
          break;
        }
        case 'create_database':
        case 'alter_database':
          if (change.type === 'create_database' || change.defaultCharset) {
            state = state.withDatabase(
              change.database,
              change.defaultCharset ??
                (state.hasDatabase(change.database)
                  ? state.databaseCharset(change.database)
                  : null),
            );
          }
          break;
        case 'drop_database':
          state = state.withoutDatabase(change.database);
          break;
        case 'reread_table':
          reread.push({ database: change.database, table: change.table });
          break;
      }
    }
    return { state, reread };
  }
}

function tableKey(database: string, table: string): string {
  return `${database}\0${table}`;
}

function resolveCharset(
  declaration: ColumnDeclaration,
  defaultCharset: string,
  defaultCollation: string | null,
): ColumnSchema {
  if (declaration.hasExplicitCharset) return declaration.column;
  return { ...declaration.column, charset: defaultCharset, collation: defaultCollation };
}

/** MySQL names an unnamed unique key after its first column, adding _2, _3… on clashes. */
function uniqueKeyName(
  existing: Record<string, string[]>,
  name: string | null,
  columns: string[],
): string {
  if (name) return name;
  const base = columns[0] ?? 'key';
  if (!(base in existing)) return base;
  for (let n = 2; ; n += 1) if (!(`${base}_${n}` in existing)) return `${base}_${n}`;
}

class AlterError extends Error {}

function indexOfColumn(columns: ColumnSchema[], name: string): number {
  const lower = name.toLowerCase();
  return columns.findIndex((column) => column.name.toLowerCase() === lower);
}

function place(
  columns: ColumnSchema[],
  column: ColumnSchema,
  position: ColumnPosition,
  fallbackIndex: number,
): void {
  if (position && 'first' in position) columns.unshift(column);
  else if (position && 'after' in position) {
    const index = indexOfColumn(columns, position.after);
    if (index === -1) throw new AlterError(`AFTER names an unknown column ${position.after}`);
    columns.splice(index + 1, 0, column);
  } else columns.splice(fallbackIndex, 0, column);
}

function renameInKeys(schema: TableSchema, from: string, to: string): void {
  const rename = (names: string[]): string[] =>
    names.map((name) => (name.toLowerCase() === from.toLowerCase() ? to : name));
  schema.primaryKey = rename(schema.primaryKey);
  for (const key of Object.keys(schema.uniqueKeys))
    schema.uniqueKeys[key] = rename(schema.uniqueKeys[key]!);
}

function applyAlter(tracked: TrackedTable, actions: AlterAction[]): TrackedTable {
  const schema: TableSchema = structuredClone(tracked.schema);
  let defaultCharset = tracked.defaultCharset;
  let defaultCollation = tracked.defaultCollation ?? null;
  for (const action of actions) {
    switch (action.type) {
      case 'add_column': {
        if (indexOfColumn(schema.columns, action.declaration.column.name) !== -1) break; // ADD COLUMN IF NOT EXISTS
        const column = resolveCharset(action.declaration, defaultCharset, defaultCollation);
        place(schema.columns, column, action.position, schema.columns.length);
        if (action.declaration.isPrimaryKey) schema.primaryKey = [column.name];
        if (action.declaration.isUnique)
          schema.uniqueKeys[uniqueKeyName(schema.uniqueKeys, null, [column.name])] = [column.name];
        break;
      }
      case 'drop_column': {
        const index = indexOfColumn(schema.columns, action.name);
        if (index === -1) break; // DROP COLUMN IF EXISTS of a missing column
        schema.columns.splice(index, 1);
        // The server removes the column from its keys, and a key left with no columns goes.
        const lower = action.name.toLowerCase();
        schema.primaryKey = schema.primaryKey.filter((name) => name.toLowerCase() !== lower);
        for (const [key, names] of Object.entries(schema.uniqueKeys)) {
          const rest = names.filter((name) => name.toLowerCase() !== lower);
          if (rest.length === 0) delete schema.uniqueKeys[key];
          else schema.uniqueKeys[key] = rest;
        }
        break;
      }
      case 'change_column': {
        const index = indexOfColumn(schema.columns, action.name);
        if (index === -1) throw new AlterError(`unknown column ${action.name}`);
        const column = resolveCharset(action.declaration, defaultCharset, defaultCollation);
        schema.columns.splice(index, 1);
        place(schema.columns, column, action.position, index);
        if (column.name !== action.name) renameInKeys(schema, action.name, column.name);
        break;
      }
      case 'rename_column': {
        const index = indexOfColumn(schema.columns, action.from);
        if (index === -1) throw new AlterError(`unknown column ${action.from}`);
        schema.columns[index] = { ...schema.columns[index]!, name: action.to };
        renameInKeys(schema, action.from, action.to);
        break;
      }
      case 'add_primary_key':
        schema.primaryKey = action.columns;
        break;
      case 'add_unique_key':
        schema.uniqueKeys[uniqueKeyName(schema.uniqueKeys, action.name, action.columns)] =
          action.columns;
        break;
      case 'drop_primary_key':
        schema.primaryKey = [];
        break;
      case 'drop_key':
        delete schema.uniqueKeys[action.name];
        break;
      case 'rename_key': {
        const columns = schema.uniqueKeys[action.from];
        if (columns) {
          delete schema.uniqueKeys[action.from];
          schema.uniqueKeys[action.to] = columns;
        }
        break;
      }
      case 'rename_table':
        if (action.database) schema.database = action.database;
        schema.table = action.table;
        break;
      case 'convert_charset':
        // The statement's COLLATE (if any) is not carried by the parser: collations unknown.
        defaultCharset = action.charset;
        defaultCollation = null;
        schema.columns = schema.columns.map((column) =>
          column.charset !== null && column.family !== 'json'
            ? { ...column, charset: action.charset, collation: null }
            : column,
        );
        break;
      case 'default_charset':
        defaultCharset = action.charset;
        defaultCollation = null;
        break;
    }
  }
  for (const name of schema.primaryKey) {
    const index = indexOfColumn(schema.columns, name);
    if (index !== -1) schema.columns[index] = { ...schema.columns[index]!, nullable: false };
  }
  return { schema, defaultCharset, defaultCollation };
}
