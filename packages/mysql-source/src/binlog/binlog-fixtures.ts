/**
 * Binlog byte sequences for unit tests, built from the documented layouts (MySQL "Binary log"
 * internals; the v4 header, post-headers and bodies as event-decoder.ts reads them). Lets the
 * decoder be tested on streams no server here can produce: PolarDB-X's (no GTIDs, `CTS::` rows
 * query events, multi-stream file names), MySQL 5.7's (no row metadata), MySQL 8's binary JSON.
 * Only tests import this file.
 */
import { crc32 } from 'node:zlib';
import { ColumnType, EventType } from './constants';

export interface EventOptions {
  timestamp?: number;
  serverId?: number;
  logPos?: number;
  flags?: number;
  checksum?: boolean;
}

/** Header + body (+ CRC32). */
export function eventBytes(type: number, body: Buffer, options: EventOptions = {}): Buffer {
  const checksum = options.checksum ?? true;
  const size = 19 + body.length + (checksum ? 4 : 0);
  const event = Buffer.alloc(size);
  event.writeUInt32LE(options.timestamp ?? 1_700_000_000, 0);
  event[4] = type;
  event.writeUInt32LE(options.serverId ?? 1, 5);
  event.writeUInt32LE(size, 9);
  event.writeUInt32LE(options.logPos ?? 0, 13);
  event.writeUInt16LE(options.flags ?? 0, 17);
  body.copy(event, 19);
  if (checksum) event.writeUInt32LE(crc32(event.subarray(0, size - 4)), size - 4);
  return event;
}

/** Post-header lengths of a MySQL 5.7 / PolarDB-X server (index = event type - 1). */
function postHeaderLengths(): Buffer {
  const lengths = Buffer.alloc(40);
  const set = (type: number, length: number): void => {
    lengths[type - 1] = length;
  };
  set(EventType.START_V3, 56);
  set(EventType.QUERY, 13);
  set(EventType.ROTATE, 8);
  set(EventType.FORMAT_DESCRIPTION, 84);
  set(EventType.TABLE_MAP, 8);
  for (const type of [EventType.WRITE_ROWS_V1, EventType.UPDATE_ROWS_V1, EventType.DELETE_ROWS_V1])
    set(type, 8);
  for (const type of [EventType.WRITE_ROWS_V2, EventType.UPDATE_ROWS_V2, EventType.DELETE_ROWS_V2])
    set(type, 10);
  set(EventType.GTID, 42);
  set(EventType.ANONYMOUS_GTID, 42);
  set(EventType.PREVIOUS_GTIDS, 0);
  return lengths;
}

export function formatDescription(
  serverVersion: string,
  checksum: boolean,
  options: EventOptions = {},
): Buffer {
  const version = Buffer.alloc(50);
  version.write(serverVersion, 'latin1');
  const body = Buffer.concat([
    Buffer.from([4, 0]),
    version,
    Buffer.alloc(4),
    Buffer.from([19]),
    postHeaderLengths(),
    Buffer.from([checksum ? 1 : 0]),
  ]);
  // A checksum-aware server always appends 4 checksum bytes to its FDE.
  if (checksum)
    return eventBytes(EventType.FORMAT_DESCRIPTION, body, { ...options, checksum: true });
  return eventBytes(EventType.FORMAT_DESCRIPTION, Buffer.concat([body, Buffer.alloc(4)]), {
    ...options,
    checksum: false,
  });
}

export function rotate(file: string, position: number, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(8 + Buffer.byteLength(file));
  body.writeBigUInt64LE(BigInt(position), 0);
  body.write(file, 8);
  return eventBytes(EventType.ROTATE, body, options);
}

export function query(database: string, sql: string, options: EventOptions = {}): Buffer {
  const db = Buffer.from(database);
  // Status variables: Q_CHARSET_CODE with utf8mb4_general_ci (45) for client, connection, server.
  const status = Buffer.from([4, 45, 0, 45, 0, 45, 0]);
  const post = Buffer.alloc(13);
  post[8] = db.length;
  post.writeUInt16LE(status.length, 11);
  return eventBytes(
    EventType.QUERY,
    Buffer.concat([post, status, db, Buffer.from([0]), Buffer.from(sql)]),
    options,
  );
}

export function xid(value: bigint, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigUInt64LE(value);
  return eventBytes(EventType.XID, body, options);
}

export function rowsQuery(sql: string, options: EventOptions = {}): Buffer {
  return eventBytes(
    EventType.ROWS_QUERY,
    Buffer.concat([Buffer.from([Math.min(sql.length, 255)]), Buffer.from(sql)]),
    options,
  );
}

export function lengthEncoded(value: number): Buffer {
  if (value < 251) return Buffer.from([value]);
  const out = Buffer.alloc(3);
  out[0] = 0xfc;
  out.writeUInt16LE(value, 1);
  return out;
}

export interface ColumnSpec {
  type: number;
  /** The metadata bytes exactly as written in the table map. */
  meta?: number[];
  nullable?: boolean;
}

export function tableMap(
  tableId: number,
  database: string,
  table: string,
  columns: ColumnSpec[],
  optionalMetadata: Buffer = Buffer.alloc(0),
  options: EventOptions = {},
): Buffer {
  const post = Buffer.alloc(8);
  post.writeUIntLE(tableId, 0, 6);
  const meta = Buffer.from(columns.flatMap((column) => column.meta ?? []));
  const nullBits = Buffer.alloc((columns.length + 7) >> 3);
  columns.forEach((column, i) => {
    if (column.nullable ?? true) nullBits[i >> 3]! |= 1 << (i & 7);
  });
  const body = Buffer.concat([
    post,
    Buffer.from([Buffer.byteLength(database)]),
    Buffer.from(database),
    Buffer.from([0]),
    Buffer.from([Buffer.byteLength(table)]),
    Buffer.from(table),
    Buffer.from([0]),
    lengthEncoded(columns.length),
    Buffer.from(columns.map((column) => column.type)),
    lengthEncoded(meta.length),
    meta,
    nullBits,
    optionalMetadata,
  ]);
  return eventBytes(EventType.TABLE_MAP, body, options);
}

/** One row image: the null bitmap over present columns, then the values' bytes. */
export function rowImage(values: Array<Buffer | null>): Buffer {
  const nulls = Buffer.alloc((values.length + 7) >> 3);
  values.forEach((value, i) => {
    if (value === null) nulls[i >> 3]! |= 1 << (i & 7);
  });
  return Buffer.concat([nulls, ...values.filter((value): value is Buffer => value !== null)]);
}

export function rowsEvent(
  type: number,
  tableId: number,
  columnCount: number,
  rows: Buffer[],
  options: EventOptions & { present?: Buffer; presentAfter?: Buffer; extra?: Buffer } = {},
): Buffer {
  const isV2 = type >= EventType.WRITE_ROWS_V2 && type <= EventType.DELETE_ROWS_V2;
  const isUpdate = type === EventType.UPDATE_ROWS_V1 || type === EventType.UPDATE_ROWS_V2;
  const post = Buffer.alloc(8);
  post.writeUIntLE(tableId, 0, 6);
  post.writeUInt16LE(1, 6); // STMT_END_F
  const all = Buffer.alloc((columnCount + 7) >> 3, 0xff);
  const parts: Buffer[] = [post];
  if (isV2) {
    const extra = options.extra ?? Buffer.alloc(0);
    const length = Buffer.alloc(2);
    length.writeUInt16LE(extra.length + 2);
    parts.push(length, extra);
  }
  parts.push(lengthEncoded(columnCount), options.present ?? all);
  if (isUpdate) parts.push(options.presentAfter ?? all);
  parts.push(...rows);
  return eventBytes(type, Buffer.concat(parts), options);
}

// Value encoders (the inverse of the decoders, from the same documented layouts).

export function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32LE(value);
  return out;
}

export function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

export function shortString(text: string, encoding: BufferEncoding = 'utf8'): Buffer {
  const bytes = Buffer.from(text, encoding);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/** DECIMAL(p, s) in MySQL's binary format (strings/decimal.cc `decimal2bin`). */
export function decimalBytes(text: string, precision: number, scale: number): Buffer {
  const isNegative = text.startsWith('-');
  const [intText = '0', fracText = ''] = text.replace('-', '').split('.');
  const intg = precision - scale;
  const intDigits = intText.padStart(intg, '0');
  const fracDigits = fracText.padEnd(scale, '0');
  const bytes: number[] = [];
  const push = (digits: string): void => {
    const size = DIG2BYTES[digits.length]!;
    const value = Number(digits);
    for (let i = size - 1; i >= 0; i -= 1) bytes.push(Math.floor(value / 256 ** i) % 256);
  };
  const intRest = intg % 9;
  if (intRest > 0) push(intDigits.slice(0, intRest));
  for (let i = intRest; i < intg; i += 9) push(intDigits.slice(i, i + 9));
  for (let i = 0; i + 9 <= scale; i += 9) push(fracDigits.slice(i, i + 9));
  if (scale % 9 > 0) push(fracDigits.slice(scale - (scale % 9)));
  const out = Buffer.from(bytes);
  out[0]! ^= 0x80;
  if (isNegative) for (let i = 0; i < out.length; i += 1) out[i]! ^= 0xff;
  return out;
}

function fractionBytes(micros: number, fsp: number): Buffer {
  const length = (fsp + 1) >> 1;
  const value =
    length === 1 ? Math.floor(micros / 10000) : length === 2 ? Math.floor(micros / 100) : micros;
  const out = Buffer.alloc(length);
  if (length > 0) out.writeUIntBE(value, 0, length);
  return out;
}

/** DATETIME2 (my_datetime_packed_to_binary). */
export function datetime2Bytes(
  [year, month, day, hour, minute, second]: number[],
  micros: number,
  fsp: number,
): Buffer {
  const ymd = (((year! * 13 + month!) << 5) | day!) >>> 0;
  const hms = (hour! << 12) | (minute! << 6) | second!;
  const packed = ymd * 0x20000 + hms + 0x8000000000;
  const out = Buffer.alloc(5);
  out.writeUIntBE(packed, 0, 5);
  return Buffer.concat([out, fractionBytes(micros, fsp)]);
}

/**
 * TIME2 (my_time_packed_to_binary): the signed packed value (hms << 24) + µs; the integer part is
 * `packed >> 24` (floor), the fraction the C remainder, stored truncated to its width.
 */
export function time2Bytes(
  isNegative: boolean,
  hour: number,
  minute: number,
  second: number,
  micros: number,
  fsp: number,
): Buffer {
  const unit = 10 ** (6 - fsp);
  const stored = Math.floor(micros / unit) * unit;
  const magnitude = ((hour << 12) | (minute << 6) | second) * 0x1000000 + stored;
  const packed = isNegative ? -magnitude : magnitude;
  const length = (fsp + 1) >> 1;
  if (length === 3) {
    const out = Buffer.alloc(6);
    out.writeUIntBE(packed + 0x800000000000, 0, 6);
    return out;
  }
  const intPart = Math.floor(packed / 0x1000000);
  const remainder = packed - Math.trunc(packed / 0x1000000) * 0x1000000;
  const out = Buffer.alloc(3 + length);
  out.writeUIntBE(intPart + 0x800000, 0, 3);
  if (length === 1) out[3] = Math.trunc(remainder / 10000) & 0xff;
  if (length === 2) out.writeUInt16BE(Math.trunc(remainder / 100) & 0xffff, 3);
  return out;
}

export function timestamp2Bytes(seconds: number, micros: number, fsp: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(seconds);
  return Buffer.concat([out, fractionBytes(micros, fsp)]);
}

/** Sysbench's table: id INT, k INT, c CHAR(120), pad CHAR(60), latin1 or utf8mb4 CHARs (meta 120·mbmaxlen). */
export function sysbenchColumns(mbMaxLength = 1): ColumnSpec[] {
  const charMeta = (length: number): number[] => {
    const bytes = length * mbMaxLength;
    // Field_string::save_field_metadata: real type, length; lengths > 255 borrow two type bits.
    return bytes > 255
      ? [(ColumnType.STRING ^ ((bytes & 0x300) >> 4)) & 0xff, bytes & 0xff]
      : [ColumnType.STRING, bytes];
  };
  return [
    { type: ColumnType.LONG, nullable: false },
    { type: ColumnType.LONG, nullable: false },
    { type: ColumnType.STRING, meta: charMeta(120), nullable: false },
    { type: ColumnType.STRING, meta: charMeta(60), nullable: false },
  ];
}
