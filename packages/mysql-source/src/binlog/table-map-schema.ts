/**
 * A table schema built from a TABLE_MAP's `binlog_row_metadata=FULL` fields, used only when the
 * tracked schema does not fit the event (the cross-check failed) and the binlog itself can say
 * what the columns were when the row was written. Null when the metadata is not complete enough
 * (MINIMAL, MySQL 5.7, PolarDB-X).
 */
import type { ColumnFamily, ColumnSchema, TableSchema } from '@tidewater/change-events';
import { ColumnType } from './constants';
import type { TableMap } from './event-decoder';

const INTEGERS: Record<number, [string, number]> = {
  [ColumnType.TINY]: ['tinyint', 1],
  [ColumnType.SHORT]: ['smallint', 2],
  [ColumnType.INT24]: ['mediumint', 3],
  [ColumnType.LONG]: ['int', 4],
  [ColumnType.LONGLONG]: ['bigint', 8],
};

const BLOB_SIZES = ['tiny', '', 'medium', 'long'];

export function schemaFromTableMap(tableMap: TableMap): TableSchema | null {
  const { metadata } = tableMap;
  if (!metadata.columnNames || metadata.columnNames.length !== tableMap.columnCount) return null;
  const columns: ColumnSchema[] = [];
  for (let i = 0; i < tableMap.columnCount; i += 1) {
    const type = tableMap.columnTypes[i]!;
    const meta = tableMap.columnMeta[i]!;
    const charset = metadata.charsets?.[i] ?? null;
    const base = {
      name: metadata.columnNames[i]!,
      nullable: tableMap.nullable[i] ?? true,
      unsigned: metadata.unsigned?.[i] ?? false,
      precision: null as number | null,
      scale: null as number | null,
      charset: null as string | null,
      members: null as string[] | null,
    };
    let dataType: string;
    let family: ColumnFamily;
    let columnType: string;
    const integer = INTEGERS[type];
    if (integer) {
      [dataType] = integer;
      family = 'integer';
      base.precision = integer[1];
      columnType = `${dataType}${base.unsigned ? ' unsigned' : ''}`;
    } else {
      switch (type) {
        case ColumnType.NEWDECIMAL:
          dataType = 'decimal';
          family = 'decimal';
          base.precision = meta >> 8;
          base.scale = meta & 0xff;
          columnType = `decimal(${base.precision},${base.scale})${base.unsigned ? ' unsigned' : ''}`;
          break;
        case ColumnType.FLOAT:
        case ColumnType.DOUBLE:
          dataType = type === ColumnType.FLOAT ? 'float' : 'double';
          family = dataType as ColumnFamily;
          columnType = `${dataType}${base.unsigned ? ' unsigned' : ''}`;
          break;
        case ColumnType.BIT:
          dataType = 'bit';
          family = 'bit';
          base.precision = meta;
          columnType = `bit(${meta})`;
          break;
        case ColumnType.YEAR:
        case ColumnType.DATE:
          dataType = type === ColumnType.YEAR ? 'year' : 'date';
          family = dataType as ColumnFamily;
          columnType = dataType;
          break;
        case ColumnType.TIME:
        case ColumnType.TIME2:
        case ColumnType.DATETIME:
        case ColumnType.DATETIME2:
        case ColumnType.TIMESTAMP:
        case ColumnType.TIMESTAMP2: {
          dataType =
            type === ColumnType.TIME || type === ColumnType.TIME2
              ? 'time'
              : type === ColumnType.DATETIME || type === ColumnType.DATETIME2
                ? 'datetime'
                : 'timestamp';
          family = dataType as ColumnFamily;
          const isNew =
            type === ColumnType.TIME2 ||
            type === ColumnType.DATETIME2 ||
            type === ColumnType.TIMESTAMP2;
          base.scale = isNew ? meta : 0;
          columnType = base.scale > 0 ? `${dataType}(${base.scale})` : dataType;
          break;
        }
        case ColumnType.VARCHAR:
        case ColumnType.VAR_STRING:
        case ColumnType.STRING: {
          if (charset === null) return null;
          const isVar = type !== ColumnType.STRING;
          if (charset === 'binary') {
            dataType = isVar ? 'varbinary' : 'binary';
            family = 'binary';
            columnType = `${dataType}(${meta})`;
          } else {
            dataType = isVar ? 'varchar' : 'char';
            family = 'char';
            base.charset = charset;
            columnType = dataType;
          }
          break;
        }
        case ColumnType.BLOB: {
          if (charset === null) return null;
          const size = BLOB_SIZES[meta - 1] ?? '';
          if (charset === 'binary') {
            dataType = `${size}blob`;
            family = 'blob';
          } else {
            dataType = `${size}text`;
            family = 'text';
            base.charset = charset;
          }
          columnType = dataType;
          break;
        }
        case ColumnType.ENUM:
        case ColumnType.SET: {
          const members = metadata.members?.[i];
          if (!members) return null;
          dataType = type === ColumnType.ENUM ? 'enum' : 'set';
          family = dataType as ColumnFamily;
          base.members = members;
          base.charset = charset ?? 'utf8mb4';
          columnType = `${dataType}(${members.map((m) => `'${m.replace(/'/g, "''")}'`).join(',')})`;
          break;
        }
        case ColumnType.JSON:
          dataType = 'json';
          family = 'json';
          columnType = 'json';
          break;
        case ColumnType.GEOMETRY:
          dataType = 'geometry';
          family = 'geometry';
          columnType = 'geometry';
          break;
        default:
          return null;
      }
    }
    if (family !== 'integer' && family !== 'decimal' && family !== 'float' && family !== 'double')
      base.unsigned = false;
    columns.push({ ...base, dataType, columnType, family });
  }
  const primaryKey = (metadata.primaryKey ?? [])
    .map((index) => columns[index]?.name ?? '')
    .filter((name) => name !== '');
  return {
    database: tableMap.database,
    table: tableMap.table,
    columns,
    primaryKey,
    uniqueKeys: {},
  };
}
