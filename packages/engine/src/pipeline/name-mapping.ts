/**
 * Object name mapping and the capitalization policy: the names a consumer sees in every message
 * (database, table, column, key columns) after the wizard's renames and "Capitalization of
 * object names in the destination instance". Rules:
 * - A table's own `rename` names the table; a database's `rename` names the database of every
 *   table in it (also for tables selected one by one inside that database).
 * - A name the operator typed as a rename is used exactly as typed; the capitalization policy
 *   (`upper`, `lower`) applies to every name that was not renamed, columns included.
 *   `default` and `source` keep the source's spelling.
 * Mapped table schemas are cached per source schema object: the formats cache their per-table
 * encoding plans by schema identity, so handing them a fresh object per event would defeat it.
 */
import type { ColumnSchema, TableSchema } from '@tidewater/change-events';
import type { SelectedObject, TaskConfig } from '@tidewater/config';

export type Capitalization = TaskConfig['advanced']['capitalization'];

export interface NameMapping {
  database(database: string): string;
  table(database: string, table: string): string;
  /** The schema with destination names; the same object for the same input object. */
  tableSchema(schema: TableSchema): TableSchema;
  /** True when every name maps to itself (nothing renamed, capitalization as source). */
  isIdentity: boolean;
}

function capitalize(name: string, capitalization: Capitalization): string {
  switch (capitalization) {
    case 'default':
    case 'source':
      return name;
    case 'upper':
      return name.toUpperCase();
    case 'lower':
      return name.toLowerCase();
  }
}

export function createNameMapping(
  objects: readonly SelectedObject[],
  capitalization: Capitalization,
): NameMapping {
  const databaseRenames = new Map<string, string>();
  const tableRenames = new Map<string, Map<string, string>>();
  for (const object of objects) {
    if (object.rename === undefined || object.rename === '') continue;
    switch (object.kind) {
      case 'database':
        databaseRenames.set(object.database, object.rename);
        break;
      case 'table': {
        let tables = tableRenames.get(object.database);
        if (tables === undefined) {
          tables = new Map();
          tableRenames.set(object.database, tables);
        }
        tables.set(object.table, object.rename);
        break;
      }
    }
  }
  const isIdentity =
    databaseRenames.size === 0 &&
    tableRenames.size === 0 &&
    (capitalization === 'default' || capitalization === 'source');

  const database = (name: string): string =>
    databaseRenames.get(name) ?? capitalize(name, capitalization);
  const table = (db: string, name: string): string =>
    tableRenames.get(db)?.get(name) ?? capitalize(name, capitalization);
  const column = (name: string): string => capitalize(name, capitalization);

  const mapped = new WeakMap<TableSchema, TableSchema>();
  const tableSchema = (schema: TableSchema): TableSchema => {
    if (isIdentity) return schema;
    const known = mapped.get(schema);
    if (known !== undefined) return known;
    const uniqueKeys: Record<string, string[]> = {};
    for (const [index, columns] of Object.entries(schema.uniqueKeys)) {
      uniqueKeys[index] = columns.map(column);
    }
    const result: TableSchema = {
      database: database(schema.database),
      table: table(schema.database, schema.table),
      columns: schema.columns.map((c): ColumnSchema =>
        column(c.name) === c.name ? c : { ...c, name: column(c.name) },
      ),
      primaryKey: schema.primaryKey.map(column),
      uniqueKeys,
    };
    mapped.set(schema, result);
    return result;
  };

  return { database, table, tableSchema, isIdentity };
}
