/** Column builder for the unit tests (not exported from the package). */
import type { ColumnFamily, ColumnSchema } from '@tidewater/change-events';

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
