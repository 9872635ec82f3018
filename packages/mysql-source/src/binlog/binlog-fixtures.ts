/**
 * Binlog byte sequences for unit tests, built from the documented layouts (MySQL "Binary log"
 * internals; the v4 header, post-headers and bodies as event-decoder.ts reads them). Lets the
 * decoder be tested on streams no server here can produce: PolarDB-X's (no GTIDs, `CTS::` rows
 * query events, multi-stream file names), MySQL 5.7's (no row metadata), MySQL 8's binary JSON.
 * Only tests import this file.
 */
import { crc32, deflateSync } from 'node:zlib';
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
  const lengths = Buffer.alloc(42);
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
  // MySQL 8: partial JSON updates have the v2 rows post-header; payloads and tagged GTIDs none.
  set(EventType.PARTIAL_UPDATE_ROWS, 10);
  set(EventType.TRANSACTION_PAYLOAD, 0);
  return lengths;
}

/**
 * A format description event. `isInUse` sets LOG_EVENT_BINLOG_IN_USE_F as a server does in the
 * file it is writing. The server computes that event's checksum with the flag cleared, so that
 * clearing the flag in place when the file is closed leaves the checksum valid (log_event.cc,
 * `Log_event_footer::event_checksum_test`).
 */
export function formatDescription(
  serverVersion: string,
  checksum: boolean,
  options: EventOptions & { isInUse?: boolean } = {},
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
  if (checksum) {
    const event = eventBytes(EventType.FORMAT_DESCRIPTION, body, { ...options, checksum: true });
    if (options.isInUse) event.writeUInt16LE(event.readUInt16LE(17) | 0x0001, 17);
    return event;
  }
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

export function query(
  database: string,
  sql: string,
  options: EventOptions & { isCompressed?: boolean } = {},
): Buffer {
  const db = Buffer.from(database);
  // Status variables: Q_CHARSET_CODE with utf8mb4_general_ci (45) for client, connection, server.
  const status = Buffer.from([4, 45, 0, 45, 0, 45, 0]);
  const post = Buffer.alloc(13);
  post[8] = db.length;
  post.writeUInt16LE(status.length, 11);
  // MariaDB's QUERY_COMPRESSED_EVENT: the same layout with the statement text compressed.
  const text = options.isCompressed ? mariadbCompressed(Buffer.from(sql)) : Buffer.from(sql);
  return eventBytes(
    options.isCompressed ? EventType.QUERY_COMPRESSED : EventType.QUERY,
    Buffer.concat([post, status, db, Buffer.from([0]), text]),
    options,
  );
}

/**
 * MariaDB's compressed block (log_event.cc `binlog_buf_compress`): a header byte 0x80 | the
 * number of length bytes (algorithm 0 = zlib in bits 4-6), the uncompressed length big-endian
 * in that many bytes, then zlib's `compress()` output.
 */
export function mariadbCompressed(data: Buffer): Buffer {
  const length = data.length;
  const lengthBytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
  const header = Buffer.alloc(1 + lengthBytes);
  header[0] = 0x80 | lengthBytes;
  header.writeUIntBE(length, 1, lengthBytes);
  return Buffer.concat([header, deflateSync(data)]);
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
  if (value < 0x10000) {
    const out = Buffer.alloc(3);
    out[0] = 0xfc;
    out.writeUInt16LE(value, 1);
    return out;
  }
  if (value < 0x1000000) {
    const out = Buffer.alloc(4);
    out[0] = 0xfd;
    out.writeUIntLE(value, 1, 3);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0xfe;
  out.writeBigUInt64LE(BigInt(value), 1);
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

/**
 * A rows event; `rows` are the row images (for updates, before and after in turn). MySQL's
 * PARTIAL_UPDATE_ROWS_EVENT has the v2 layout, each row being before image, shared image
 * (`sharedImage`) and after image. MariaDB's compressed rows events (types 166-171) carry the
 * rows part as one compressed block after the column bitmaps (log_event.cc
 * `row_log_event_uncompress`).
 */
export function rowsEvent(
  type: number,
  tableId: number,
  columnCount: number,
  rows: Buffer[],
  options: EventOptions & { present?: Buffer; presentAfter?: Buffer; extra?: Buffer } = {},
): Buffer {
  const isV2 =
    (type >= EventType.WRITE_ROWS_V2 && type <= EventType.DELETE_ROWS_V2) ||
    type === EventType.PARTIAL_UPDATE_ROWS ||
    (type >= EventType.WRITE_ROWS_COMPRESSED_V2 && type <= EventType.DELETE_ROWS_COMPRESSED_V2);
  const isUpdate =
    type === EventType.UPDATE_ROWS_V1 ||
    type === EventType.UPDATE_ROWS_V2 ||
    type === EventType.PARTIAL_UPDATE_ROWS ||
    type === EventType.UPDATE_ROWS_COMPRESSED_V1 ||
    type === EventType.UPDATE_ROWS_COMPRESSED_V2;
  const isCompressed =
    type >= EventType.WRITE_ROWS_COMPRESSED_V1 && type <= EventType.DELETE_ROWS_COMPRESSED_V2;
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
  if (isCompressed) parts.push(mariadbCompressed(Buffer.concat(rows)));
  else parts.push(...rows);
  return eventBytes(type, Buffer.concat(parts), options);
}

/**
 * The shared image between a partial update's before and after images (rpl_record.h
 * `unpack_row`): value_options as a length-encoded integer (1 = PARTIAL_JSON_UPDATES), then, when
 * set, one bit per JSON column of the table, set where the after image holds a JSON diff.
 */
export function sharedImage(partialJsonColumns: boolean[] | null): Buffer {
  if (partialJsonColumns === null) return Buffer.from([0]);
  const bits = Buffer.alloc((partialJsonColumns.length + 7) >> 3);
  partialJsonColumns.forEach((isPartial, i) => {
    if (isPartial) bits[i >> 3]! |= 1 << (i & 7);
  });
  return Buffer.concat([Buffer.from([1]), bits]);
}

export type JsonDiffOperation = 'replace' | 'insert' | 'remove';

/**
 * A JSON column's value in a partial after image (json_diff.cc `Json_diff_vector::write_binary`):
 * the byte length of what follows (4 bytes), then per diff the operation (0 REPLACE, 1 INSERT,
 * 2 REMOVE), the path text and, except for REMOVE, the binary JSON value, each of the last two
 * prefixed by its length-encoded length.
 */
export function jsonDiffVector(
  diffs: Array<{ operation: JsonDiffOperation; path: string; value?: Buffer }>,
): Buffer {
  const codes: Record<JsonDiffOperation, number> = { replace: 0, insert: 1, remove: 2 };
  const body = Buffer.concat(
    diffs.flatMap(({ operation, path, value }) => {
      const pathBytes = Buffer.from(path);
      const parts = [Buffer.from([codes[operation]]), lengthEncoded(pathBytes.length), pathBytes];
      if (operation !== 'remove') parts.push(lengthEncoded(value!.length), value!);
      return parts;
    }),
  );
  return Buffer.concat([uint32(body.length), body]);
}

/** A JSON column's full value in a row image: 4 length bytes (meta 4), then binary JSON. */
export function jsonColumn(binary: Buffer): Buffer {
  return Buffer.concat([uint32(binary.length), binary]);
}

/** JSON values for `jsonBinary`; `{ opaque, data }` is a MySQL opaque (typed) scalar. */
export type JsonFixture =
  | null
  | boolean
  | number
  | string
  | JsonFixture[]
  | { [key: string]: JsonFixture }
  | { opaque: number; data: Buffer };

function jsonVariableLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest & 0x7f;
    rest >>= 7;
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

function encodeJsonValue(
  value: JsonFixture,
  large: boolean,
): { type: number; inline: number | null; data: Buffer } {
  if (value === null) return { type: 0x04, inline: 0, data: Buffer.alloc(0) };
  if (value === true) return { type: 0x04, inline: 1, data: Buffer.alloc(0) };
  if (value === false) return { type: 0x04, inline: 2, data: Buffer.alloc(0) };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -32768 && value <= 32767)
      return { type: 0x05, inline: value & 0xffff, data: Buffer.alloc(0) };
    if (Number.isInteger(value)) {
      const data = Buffer.alloc(8);
      data.writeBigInt64LE(BigInt(value));
      return { type: 0x09, inline: null, data };
    }
    const data = Buffer.alloc(8);
    data.writeDoubleLE(value);
    return { type: 0x0b, inline: null, data };
  }
  if (typeof value === 'string') {
    const text = Buffer.from(value);
    return {
      type: 0x0c,
      inline: null,
      data: Buffer.concat([jsonVariableLength(text.length), text]),
    };
  }
  if (Array.isArray(value))
    return {
      type: large ? 0x03 : 0x02,
      inline: null,
      data: encodeJsonContainer(value, null, large),
    };
  if ('opaque' in value && Buffer.isBuffer(value.data)) {
    const opaque = value as { opaque: number; data: Buffer };
    return {
      type: 0x0f,
      inline: null,
      data: Buffer.concat([
        Buffer.from([opaque.opaque]),
        jsonVariableLength(opaque.data.length),
        opaque.data,
      ]),
    };
  }
  // Keys sorted as MySQL stores them: by length, then bytes.
  const keys = Object.keys(value).sort(
    (a, b) =>
      Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  return {
    type: large ? 0x01 : 0x00,
    inline: null,
    data: encodeJsonContainer(
      keys.map((key) => (value as Record<string, JsonFixture>)[key] as JsonFixture),
      keys,
      large,
    ),
  };
}

function encodeJsonContainer(values: JsonFixture[], keys: string[] | null, large: boolean): Buffer {
  const word = large ? 4 : 2;
  const header = 2 * word + (keys ? keys.length * (word + 2) : 0) + values.length * (1 + word);
  const keyBytes = (keys ?? []).map((key) => Buffer.from(key));
  const encoded = values.map((value) => encodeJsonValue(value, large));
  let offset = header + keyBytes.reduce((sum, key) => sum + key.length, 0);
  const valueOffsets = encoded.map((entry) => {
    if (entry.inline !== null) return -1;
    const at = offset;
    offset += entry.data.length;
    return at;
  });
  const out = Buffer.alloc(offset);
  const writeWord = (value: number, at: number): void => {
    if (large) out.writeUInt32LE(value, at);
    else out.writeUInt16LE(value, at);
  };
  writeWord(values.length, 0);
  writeWord(offset, word);
  let p = 2 * word;
  let keyOffset = header;
  for (const key of keyBytes) {
    writeWord(keyOffset, p);
    out.writeUInt16LE(key.length, p + word);
    key.copy(out, keyOffset);
    keyOffset += key.length;
    p += word + 2;
  }
  encoded.forEach((entry, i) => {
    out[p] = entry.type;
    if (entry.inline !== null) writeWord(entry.inline, p + 1);
    else {
      writeWord(valueOffsets[i]!, p + 1);
      entry.data.copy(out, valueOffsets[i]!);
    }
    p += 1 + word;
  });
  return out;
}

/** MySQL's binary JSON (sql-common/json_binary.h) of a value; `large` uses 4-byte offsets. */
export function jsonBinary(value: JsonFixture, large = false): Buffer {
  const { type, inline, data } = encodeJsonValue(value, large);
  if (inline !== null) {
    const out = Buffer.alloc(3);
    out[0] = type;
    out.writeUInt16LE(inline, 1);
    return out.subarray(0, type === 0x04 ? 2 : 3);
  }
  return Buffer.concat([Buffer.from([type]), data]);
}

// MySQL 8 transaction payloads, tagged GTIDs.

/**
 * A zstd frame (RFC 8878) of raw (stored) blocks: what a zstd decoder reads like any other
 * frame, built without a compressor. Single segment, 8-byte content size, no checksum.
 */
export function zstdStoredFrame(data: Buffer): Buffer {
  const header = Buffer.alloc(4 + 1 + 8);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0xe0; // Frame_Content_Size_flag 3 (8 bytes), Single_Segment_flag
  header.writeBigUInt64LE(BigInt(data.length), 5);
  const blocks: Buffer[] = [];
  const maxBlock = 128 * 1024;
  let offset = 0;
  do {
    const size = Math.min(maxBlock, data.length - offset);
    const isLast = offset + size >= data.length;
    const blockHeader = Buffer.alloc(3);
    // bit 0 last block, bits 1-2 block type (0 = raw), bits 3-23 size.
    blockHeader.writeUIntLE((size << 3) | (isLast ? 1 : 0), 0, 3);
    blocks.push(blockHeader, data.subarray(offset, offset + size));
    offset += size;
  } while (offset < data.length);
  return Buffer.concat([header, ...blocks]);
}

/**
 * TRANSACTION_PAYLOAD_EVENT (MySQL 8.0.20+, control_events.h `Transaction_payload_event`; codecs
 * binary.cpp `Transaction_payload::encode`): no post-header; (type, length, value) fields, each
 * part length-encoded — compression type (2; 0 = ZSTD, 255 = NONE), uncompressed size (3, when
 * compressed), payload size (1) — ended by type 0, then the payload: the transaction's events
 * without checksums. zstd payloads are frames of stored blocks unless a compressor is given.
 */
export function transactionPayload(
  events: Buffer[],
  compression: 'zstd' | 'none',
  options: EventOptions & { compress?: (data: Buffer) => Buffer } = {},
): Buffer {
  const raw = Buffer.concat(events);
  const payload = compression === 'none' ? raw : (options.compress ?? zstdStoredFrame)(raw);
  const field = (type: number, value: number): Buffer => {
    const encoded = lengthEncoded(value);
    return Buffer.concat([lengthEncoded(type), lengthEncoded(encoded.length), encoded]);
  };
  const fields = [field(2, compression === 'none' ? 255 : 0)];
  if (compression !== 'none') fields.push(field(3, raw.length));
  fields.push(field(1, payload.length), Buffer.from([0]));
  return eventBytes(EventType.TRANSACTION_PAYLOAD, Buffer.concat([...fields, payload]), options);
}

/**
 * An unsigned integer in the MySQL serialization library's variable-length format
 * (libs/mysql/serialization/readme.md): 1-9 bytes; the first byte's trailing one bits say how
 * many bytes follow, the value's bits come after the terminating zero bit, little-endian.
 */
export function serializationVarlen(value: bigint): Buffer {
  const bits = value === 0n ? 0 : value.toString(2).length;
  const count = ((bits * 575) >> 12) + 1;
  const out = Buffer.alloc(count);
  out[0] = Number((BigInt((1 << (count - 1)) - 1) | (value << BigInt(count))) & 0xffn);
  if (count > 1) {
    let rest = value >> BigInt(count === 9 ? 0 : 8 - count);
    for (let i = 1; i < count; i += 1) {
      out[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  return out;
}

/** A signed integer in the same format: the sign in the lowest bit (zigzag). */
export function serializationVarlenSigned(value: bigint): Buffer {
  return serializationVarlen(value >= 0n ? value << 1n : (-(value + 1n) << 1n) | 1n);
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * GTID_TAGGED_LOG_EVENT (MySQL 8.3+, control_events.h `Gtid_event::define_fields`), written by
 * the serialization library: format version, message size, last non-ignorable field id, then
 * (field id, value) pairs: 0 flags, 1 the UUID as 16 integers, 2 GNO (signed), 3 tag (length and
 * bytes), 4 last_committed, 5 sequence_number, 6 immediate commit timestamp, 8 transaction
 * length, 9 immediate server version; all integers variable-length.
 */
export function gtidTagged(
  uuid: string,
  tag: string,
  gno: bigint,
  options: EventOptions = {},
): Buffer {
  const v = serializationVarlen;
  const tagBytes = Buffer.from(tag);
  const fields = Buffer.concat([
    v(0n),
    v(0n),
    v(1n),
    ...[...uuidBytes(uuid)].map((byte) => v(BigInt(byte))),
    v(2n),
    serializationVarlenSigned(gno),
    v(3n),
    v(BigInt(tagBytes.length)),
    tagBytes,
    v(4n),
    serializationVarlenSigned(0n),
    v(5n),
    serializationVarlenSigned(1n),
    v(6n),
    v(1_700_000_000_000_000n),
    v(8n),
    v(300n),
    v(9n),
    v(80400n),
  ]);
  const version = v(2n);
  const lastNonIgnorable = v(10n);
  // The message size counts itself and everything before the fields.
  let size = version.length + lastNonIgnorable.length + fields.length + 1;
  while (version.length + lastNonIgnorable.length + fields.length + v(BigInt(size)).length !== size)
    size = version.length + lastNonIgnorable.length + fields.length + v(BigInt(size)).length;
  return eventBytes(
    EventType.GTID_TAGGED,
    Buffer.concat([version, v(BigInt(size)), lastNonIgnorable, fields]),
    options,
  );
}

/**
 * PREVIOUS_GTIDS_LOG_EVENT body in the tagged format (rpl_gtid_set.cc `Gtid_set::encode`): the
 * first 8 bytes hold format 1 in the top byte, the count shifted by 8 and the format again in the
 * low byte; per TSID the 16 UUID bytes, the tag (variable-length length and bytes), the interval
 * count (8 bytes) and [start, end) pairs (8 bytes each).
 */
export function previousGtidsTagged(
  entries: Array<{ uuid: string; tag: string; intervals: Array<[number, number]> }>,
  options: EventOptions = {},
): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE((1n << 56n) | (BigInt(entries.length) << 8n) | 1n);
  const parts: Buffer[] = [head];
  for (const { uuid, tag, intervals } of entries) {
    const tagBytes = Buffer.from(tag);
    const count = Buffer.alloc(8);
    count.writeBigUInt64LE(BigInt(intervals.length));
    parts.push(uuidBytes(uuid), serializationVarlen(BigInt(tagBytes.length)), tagBytes, count);
    for (const [start, end] of intervals) {
      const interval = Buffer.alloc(16);
      interval.writeBigInt64LE(BigInt(start), 0);
      interval.writeBigInt64LE(BigInt(end), 8);
      parts.push(interval);
    }
  }
  return eventBytes(EventType.PREVIOUS_GTIDS, Buffer.concat(parts), options);
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

/** An untagged GTID_LOG_EVENT: flags, the UUID's 16 bytes, GNO, then the logical clock. */
export function gtidEvent(uuid: string, gno: number, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(42);
  uuidBytes(uuid).copy(body, 1);
  body.writeBigInt64LE(BigInt(gno), 17);
  body[25] = 2;
  return eventBytes(EventType.GTID, body, options);
}

/** An untagged PREVIOUS_GTIDS_LOG_EVENT body (format 0: the plain count). */
export function previousGtids(
  entries: Array<{ uuid: string; intervals: Array<[number, number]> }>,
  options: EventOptions = {},
): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(entries.length));
  const parts: Buffer[] = [head];
  for (const { uuid, intervals } of entries) {
    const count = Buffer.alloc(8);
    count.writeBigUInt64LE(BigInt(intervals.length));
    parts.push(uuidBytes(uuid), count);
    for (const [start, end] of intervals) {
      const interval = Buffer.alloc(16);
      interval.writeBigInt64LE(BigInt(start), 0);
      interval.writeBigInt64LE(BigInt(end), 8);
      parts.push(interval);
    }
  }
  return eventBytes(EventType.PREVIOUS_GTIDS, Buffer.concat(parts), options);
}
