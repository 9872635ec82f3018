/** A column schema with defaults, for tests. */
import type { ColumnFamily, ColumnSchema } from './index';

export function testColumn(
  name: string,
  family: ColumnFamily,
  dataType: string,
  columnType: string,
  extra: Partial<ColumnSchema> = {},
): ColumnSchema {
  return {
    name,
    dataType,
    columnType,
    family,
    nullable: true,
    unsigned: columnType.includes('unsigned'),
    precision: null,
    scale: null,
    charset: null,
    members: null,
    ...extra,
  };
}
