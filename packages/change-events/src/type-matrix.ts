/**
 * A table with a column of every type family the source engine produces, and change events on
 * it, built by hand from the change event types (values in canonical form). The one type
 * matrix of the project: the formats' unit tests and the sink's integration tests both use it.
 */
import type {
  DdlEvent,
  DeleteEvent,
  InsertEvent,
  RowImage,
  SnapshotRowsEvent,
  TableSchema,
  UpdateEvent,
} from './index';
import { testColumn } from './test-column';

const column = testColumn;

export const matrixTable: TableSchema = {
  database: 'shop',
  table: 'type_matrix',
  columns: [
    column('id', 'integer', 'int', 'int(11)', { nullable: false, precision: 4 }),
    column('c_tiny', 'integer', 'tinyint', 'tinyint(4)', { precision: 1 }),
    column('c_tiny_u', 'integer', 'tinyint', 'tinyint(3) unsigned', { precision: 1 }),
    column('c_small', 'integer', 'smallint', 'smallint(6)', { precision: 2 }),
    column('c_medium_u', 'integer', 'mediumint', 'mediumint(8) unsigned', { precision: 3 }),
    column('c_int_u', 'integer', 'int', 'int(10) unsigned', { precision: 4 }),
    column('c_big', 'integer', 'bigint', 'bigint(20)', { precision: 8 }),
    column('c_big_u', 'integer', 'bigint', 'bigint(20) unsigned', { precision: 8 }),
    column('c_decimal', 'decimal', 'decimal', 'decimal(12,4)', { precision: 12, scale: 4 }),
    column('c_float', 'float', 'float', 'float'),
    column('c_double', 'double', 'double', 'double'),
    column('c_bit', 'bit', 'bit', 'bit(10)', { precision: 10 }),
    column('c_year', 'year', 'year', 'year(4)'),
    column('c_date', 'date', 'date', 'date'),
    column('c_datetime', 'datetime', 'datetime', 'datetime(6)', { scale: 6 }),
    column('c_timestamp', 'timestamp', 'timestamp', 'timestamp(3)', { scale: 3 }),
    column('c_time', 'time', 'time', 'time(2)', { scale: 2 }),
    column('c_char', 'char', 'char', 'char(4)', { charset: 'utf8mb4' }),
    column('c_varchar', 'char', 'varchar', 'varchar(64)', { charset: 'utf8mb4' }),
    column('c_latin1', 'char', 'varchar', 'varchar(16)', { charset: 'latin1' }),
    column('c_text', 'text', 'text', 'text', { charset: 'utf8mb4' }),
    column('c_binary', 'binary', 'binary', 'binary(3)'),
    column('c_varbinary', 'binary', 'varbinary', 'varbinary(8)'),
    column('c_blob', 'blob', 'blob', 'blob'),
    column('c_enum', 'enum', 'enum', "enum('new','paid','shipped')", {
      members: ['new', 'paid', 'shipped'],
    }),
    column('c_set', 'set', 'set', "set('a','b','c')", { members: ['a', 'b', 'c'] }),
    column('c_json', 'json', 'json', 'json'),
    column('c_geometry', 'geometry', 'point', 'point'),
  ],
  primaryKey: ['id'],
  uniqueKeys: { uk_varchar: ['c_varchar'] },
};

/** POINT(1 2) with SRID 0: 4-byte SRID + WKB. */
const point = Buffer.from('00000000010100000000000000000000f03f0000000000000040', 'hex');

export const fullRow: RowImage = [
  '1',
  '-128',
  '255',
  '-32768',
  '16777215',
  '4294967295',
  '-9223372036854775808',
  '18446744073709551615',
  '-12345678.9012',
  Math.fround(3.14),
  2.718281828459045,
  Buffer.from([0x02, 0x01]),
  2024,
  '2024-05-01',
  '2024-05-01 10:20:30.123456',
  '2024-05-01 02:20:30.500',
  '-838:59:59.00',
  'ab',
  'héllo "quoted" \\ \n tab\t 😀',
  'café',
  'long text',
  Buffer.from([0x00, 0x01, 0xff]),
  Buffer.from('raw'),
  Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  'paid',
  'a,c',
  '{"k": [1, 2], "s": "x"}',
  point,
];

export const nullRow: RowImage = [
  '2',
  ...new Array<null>(matrixTable.columns.length - 1).fill(null),
];

const base = {
  timestamp: 1714530030000,
  gtid: null,
  serverId: 7,
  schema: matrixTable,
};

export const snapshotEvent: SnapshotRowsEvent = {
  ...base,
  kind: 'snapshot',
  position: null,
  rows: [fullRow, nullRow],
};

export const insertEvent: InsertEvent = {
  ...base,
  kind: 'insert',
  position: { file: 'mysql-bin.000003', pos: 4411, gtidSet: null },
  transactionStart: { file: 'mysql-bin.000003', pos: 4208, gtidSet: null },
  rows: [
    ['3', ...fullRow.slice(1)],
    ['4', ...nullRow.slice(1)],
  ],
};

const updatedRow: RowImage = [...fullRow];
updatedRow[18] = 'changed';
updatedRow[13] = null;

export const updateEvent: UpdateEvent = {
  ...base,
  kind: 'update',
  timestamp: 1714530090000,
  position: { file: 'mysql-bin.000003', pos: 5000, gtidSet: null },
  rows: [{ before: fullRow, after: updatedRow }],
};

export const deleteEvent: DeleteEvent = {
  ...base,
  kind: 'delete',
  timestamp: 1714530150000,
  position: { file: 'mysql-bin.000003', pos: 6000, gtidSet: null },
  rows: [nullRow],
};

export const ddlEvent: DdlEvent = {
  kind: 'ddl',
  timestamp: 1714530210000,
  position: { file: 'mysql-bin.000003', pos: 7000, gtidSet: null },
  gtid: null,
  serverId: 7,
  database: 'shop',
  table: 'type_matrix',
  ddlKind: 'ALTER',
  sql: 'ALTER TABLE type_matrix ADD COLUMN memo VARCHAR(20)',
  isParsed: true,
};

export const matrixEvents = [snapshotEvent, insertEvent, updateEvent, deleteEvent, ddlEvent];
