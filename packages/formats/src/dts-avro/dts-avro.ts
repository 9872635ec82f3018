/**
 * DTS Avro: one Kafka message value = the Avro binary encoding of one `Record` of the published
 * DTS schema (`docs/formats/dts-avro.md` §3), one record per row. Fields are written in schema
 * order by a hand-rolled writer; the per-table parts (`objectName`, `fields`, the `pk_uk_info`
 * tag) are encoded once per table schema and copied. Section numbers below refer to
 * `docs/formats/dts-avro.md`; every point it leaves open is decided in the package README.
 */
import type {
  CellValue,
  ChangeEvent,
  ColumnSchema,
  RowImage,
  SourcePosition,
  TableSchema,
} from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import { copyToNewBuffer, type CopyValue } from '../copy-value';
import { parseDateTime, parseTime, parseUtcTimestamp } from '../temporal';
import { AvroWriter } from './avro-writer';
import { encodeCharset, isUtf8Charset } from './charset-bytes';

export interface DtsAvroOptions {
  /** `Record.id` of the first record; row i of a multi-row event gets `id + i`. */
  id: number;
  /** `Source.version`: the source server's version string (`SELECT VERSION()`), e.g. `8.0.36`. */
  sourceVersion: string;
  /** `readerThroughoutTime` tag: when Tidewater read the event, ms since epoch; omitted when absent. */
  readerThroughoutTime?: number;
  /** Where each record's bytes are copied (default: a new Buffer). */
  copyValue?: CopyValue;
}

/** `Operation` enum ordinals of Record.avsc (`docs/formats/dts-avro.md` §2). */
const Operation = {
  INSERT: 0,
  UPDATE: 1,
  DELETE: 2,
  DDL: 3,
  BEGIN: 4,
  COMMIT: 5,
  HEARTBEAT: 8,
  INIT: 16,
} as const;

/** Branch indexes of the image item union (`docs/formats/dts-avro.md` §2). */
const Branch = {
  NULL: 0,
  INTEGER: 1,
  CHARACTER: 2,
  DECIMAL: 3,
  FLOAT: 4,
  TIMESTAMP: 5,
  DATETIME: 6,
  BINARY_GEOMETRY: 8,
  BINARY_OBJECT: 10,
  TEXT_OBJECT: 11,
} as const;

type ValueKind =
  | 'integer'
  | 'bit'
  | 'decimal'
  | 'float'
  | 'timestamp'
  | 'date'
  | 'datetime'
  | 'time'
  | 'year'
  | 'character'
  | 'binary-object'
  | 'text-object'
  | 'geometry';

interface ColumnPlan {
  column: ColumnSchema;
  kind: ValueKind;
  /** `Field.dataTypeNumber` (`docs/formats/dts-avro.md` §5). */
  dataTypeNumber: number;
  precision: number;
  scale: number;
  /** `BinaryObject.type` / `TextObject.type` / `BinaryGeometry.type`. */
  objectType: string;
}

interface TablePlan {
  columns: ColumnPlan[];
  /** Union branch 1 + `db.table`, escaped. */
  objectName: Buffer;
  /** Union branch 2 + the `Field` array. */
  fields: Buffer;
  /** Key and value of the `pk_uk_info` tag. */
  pkUkInfo: Buffer;
}

const INTEGER_TYPES: Record<string, { code: number; bytes: number }> = {
  tinyint: { code: 1, bytes: 1 },
  bool: { code: 1, bytes: 1 },
  boolean: { code: 1, bytes: 1 },
  smallint: { code: 2, bytes: 2 },
  mediumint: { code: 9, bytes: 3 },
  int: { code: 3, bytes: 4 },
  integer: { code: 3, bytes: 4 },
  bigint: { code: 8, bytes: 8 },
};

const INTEGER_CODE_BY_BYTES: Record<number, number> = { 1: 1, 2: 2, 3: 9, 4: 3, 8: 8 };

const BLOB_CODES: Record<string, number> = {
  tinyblob: 249,
  mediumblob: 250,
  longblob: 251,
  blob: 252,
};

function planColumn(column: ColumnSchema): ColumnPlan {
  const plan = (
    kind: ValueKind,
    dataTypeNumber: number,
    precision = 0,
    scale = 0,
    objectType = '',
  ): ColumnPlan => ({
    column,
    kind,
    dataTypeNumber,
    precision,
    scale,
    objectType,
  });
  switch (column.family) {
    case 'integer': {
      // Integer.precision = storage bytes, as captured records show (INT 4, BIGINT 8).
      const known = INTEGER_TYPES[column.dataType];
      const bytes = known?.bytes ?? column.precision ?? 4;
      return plan('integer', known?.code ?? INTEGER_CODE_BY_BYTES[bytes] ?? 3, bytes);
    }
    case 'decimal':
      return plan('decimal', 246, column.precision ?? 10, column.scale ?? 0);
    case 'float':
      // Readers ignore Float.precision/scale; we send MySQL's NUMERIC_PRECISION default.
      return plan('float', 4, column.precision ?? 12, column.scale ?? 0);
    case 'double':
      return plan('float', 5, column.precision ?? 22, column.scale ?? 0);
    case 'bit':
      return plan('bit', 16, Math.ceil((column.precision ?? 1) / 8));
    case 'year':
      return plan('year', 13);
    case 'date':
      return plan('date', 10);
    case 'datetime':
      // 12, never 18 (DATETIME2): the demo decoder has no adapter for 17–19.
      return plan('datetime', 12);
    case 'timestamp':
      return plan('timestamp', 7);
    case 'time':
      return plan('time', 11);
    case 'char':
      return plan('character', column.dataType === 'char' ? 254 : 253);
    case 'text':
      // TEXT as Character under 253: readers pick the adapter by dataTypeNumber, and the demo's
      // 252 adapter expects a BinaryObject, while 253 reads a Character with its charset.
      return plan('character', 253);
    case 'blob':
      return plan('binary-object', BLOB_CODES[column.dataType] ?? 252, 0, 0, 'BLOB');
    case 'binary':
      return plan('binary-object', 252, 0, 0, 'BINARY');
    case 'geometry':
      return plan('geometry', 255, 0, 0, 'GEOMETRY');
    case 'enum':
      return plan('text-object', 247, 0, 0, 'ENUM');
    case 'set':
      return plan('text-object', 248, 0, 0, 'SET');
    case 'json':
      return plan('text-object', 245, 0, 0, 'JSON');
  }
}

/** `ObjectNameUtils.escapeName` of the DTS SDK: a `.` inside a name becomes `\u002E`. */
export function escapeObjectName(name: string): string {
  return name.includes('.') ? name.replaceAll('.', '\\u002E') : name;
}

const plans = new WeakMap<TableSchema, TablePlan>();

function tablePlan(schema: TableSchema): TablePlan {
  const known = plans.get(schema);
  if (known !== undefined) return known;
  const columns = schema.columns.map(planColumn);
  const w = new AvroWriter(256);

  w.writeInt(1);
  w.writeString(`${escapeObjectName(schema.database)}.${escapeObjectName(schema.table)}`);
  const objectName = w.toBuffer();

  w.reset();
  w.writeInt(2);
  if (columns.length > 0) {
    w.writeLong(columns.length);
    for (const c of columns) {
      w.writeString(c.column.name);
      w.writeInt(c.dataTypeNumber);
    }
  }
  w.writeInt(0);
  const fields = w.toBuffer();

  // pk_uk_info: {"PRIMARY":[…], "<unique key>":[…]} (`docs/formats/dts-avro.md` §7).
  const keys: Record<string, string[]> = {};
  if (schema.primaryKey.length > 0) keys.PRIMARY = schema.primaryKey;
  for (const [name, cols] of Object.entries(schema.uniqueKeys)) keys[name] = cols;
  w.reset();
  w.writeString('pk_uk_info');
  w.writeString(JSON.stringify(keys));
  const pkUkInfo = w.toBuffer();

  const plan = { columns, objectName, fields, pkUkInfo };
  plans.set(schema, plan);
  return plan;
}

/** `"<offset>@<file number>"` (`docs/formats/dts-avro.md` §3); the file number is the binlog file name's suffix. */
let lastFile = '';
let lastFileNumber = 0;
function positionText(position: SourcePosition | null | undefined): string {
  if (position === null || position === undefined) return '0@0';
  if (position.file !== lastFile) {
    const match = /(\d+)$/.exec(position.file);
    lastFile = position.file;
    lastFileNumber = match === null ? 0 : Number(match[1]);
  }
  return `${position.pos}@${lastFileNumber}`;
}

function invalidValue(column: ColumnSchema, value: unknown): TidewaterError {
  return new TidewaterError(
    'FORMAT_VALUE_INVALID',
    `Column ${column.name} (${column.columnType}) holds a value of the wrong shape for its type.`,
    {
      category: 'internal',
      remedy: 'The source produced a non-canonical value; report it with the column type.',
      details: { column: column.name, columnType: column.columnType, valueType: typeof value },
    },
  );
}

function writeOptionalInt(w: AvroWriter, n: number | null): void {
  if (n === null) {
    w.writeInt(0);
  } else {
    w.writeInt(1);
    w.writeInt(n);
  }
}

function writeDateTime(
  w: AvroWriter,
  year: number | null,
  month: number | null,
  day: number | null,
  hour: number | null,
  minute: number | null,
  second: number | null,
  micros: number | null,
): void {
  w.writeInt(Branch.DATETIME);
  writeOptionalInt(w, year);
  writeOptionalInt(w, month);
  writeOptionalInt(w, day);
  writeOptionalInt(w, hour);
  writeOptionalInt(w, minute);
  writeOptionalInt(w, second);
  writeOptionalInt(w, micros);
}

function bitText(bytes: Buffer): string {
  if (bytes.length === 0) return '0';
  if (bytes.length <= 6) return String(bytes.readUIntBE(0, bytes.length));
  return BigInt(`0x${bytes.toString('hex')}`).toString();
}

/** One image item (`docs/formats/dts-avro.md` §4): SQL NULL is the union's null branch, never EmptyObject.NULL. */
function writeValue(w: AvroWriter, plan: ColumnPlan, value: CellValue): void {
  if (value === null) {
    w.writeInt(Branch.NULL);
    return;
  }
  const { column } = plan;
  switch (plan.kind) {
    case 'integer':
      w.writeInt(Branch.INTEGER);
      w.writeInt(plan.precision);
      w.writeString(String(value));
      return;
    case 'bit':
      if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
      w.writeInt(Branch.INTEGER);
      w.writeInt(plan.precision);
      w.writeString(bitText(value));
      return;
    case 'decimal':
      w.writeInt(Branch.DECIMAL);
      w.writeString(String(value));
      w.writeInt(plan.precision);
      w.writeInt(plan.scale);
      return;
    case 'float':
      if (typeof value !== 'number') throw invalidValue(column, value);
      w.writeInt(Branch.FLOAT);
      w.writeDouble(value);
      w.writeInt(plan.precision);
      w.writeInt(plan.scale);
      return;
    case 'timestamp': {
      // An instant: epoch seconds and microseconds (the field is named millis), no zone.
      if (typeof value !== 'string') throw invalidValue(column, value);
      const instant = parseUtcTimestamp(value);
      w.writeInt(Branch.TIMESTAMP);
      w.writeLong(instant.epochSeconds);
      w.writeInt(instant.micros);
      return;
    }
    case 'date': {
      if (typeof value !== 'string') throw invalidValue(column, value);
      const p = parseDateTime(value);
      writeDateTime(w, p.year, p.month, p.day, null, null, null, null);
      return;
    }
    case 'datetime': {
      if (typeof value !== 'string') throw invalidValue(column, value);
      const p = parseDateTime(value);
      writeDateTime(w, p.year, p.month, p.day, p.hour, p.minute, p.second, p.micros);
      return;
    }
    case 'time': {
      // Negative TIME: every part negative, as the demo's TimeAdapter reads it.
      if (typeof value !== 'string') throw invalidValue(column, value);
      const t = parseTime(value);
      const sign = t.isNegative ? -1 : 1;
      writeDateTime(
        w,
        null,
        null,
        null,
        sign * t.hours,
        sign * t.minutes,
        sign * t.seconds,
        sign * t.micros,
      );
      return;
    }
    case 'year':
      writeDateTime(w, Number(value), null, null, null, null, null, null);
      return;
    case 'character': {
      const text = String(value);
      w.writeInt(Branch.CHARACTER);
      if (isUtf8Charset(column.charset)) {
        // Avro's bytes and string share one encoding (a length, then the bytes): the text's
        // UTF-8 is written in place, without a Buffer per value.
        w.writeString(column.charset);
        w.writeString(text);
        return;
      }
      const encoded = encodeCharset(text, column.charset);
      w.writeString(encoded.charset);
      w.writeBytes(encoded.bytes);
      return;
    }
    case 'binary-object':
      if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
      w.writeInt(Branch.BINARY_OBJECT);
      w.writeString(plan.objectType);
      w.writeBytes(value);
      return;
    case 'geometry':
      if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
      w.writeInt(Branch.BINARY_GEOMETRY);
      w.writeString(plan.objectType);
      w.writeBytes(value);
      return;
    case 'text-object':
      w.writeInt(Branch.TEXT_OBJECT);
      w.writeString(plan.objectType);
      w.writeString(String(value));
      return;
  }
}

function writeImage(w: AvroWriter, columns: ColumnPlan[], row: RowImage | null): void {
  if (row === null) {
    w.writeInt(0);
    return;
  }
  w.writeInt(2);
  if (columns.length > 0) {
    w.writeLong(columns.length);
    for (let i = 0; i < columns.length; i++) writeValue(w, columns[i]!, row[i] ?? null);
  }
  w.writeInt(0);
}

const writer = new AvroWriter();

interface RecordParts {
  id: number;
  operation: number;
  objectName: Buffer | string | null;
  tags: Array<[string, string] | Buffer>;
  fields: Buffer | null;
  columns: ColumnPlan[];
  before: RowImage | null;
  after: RowImage | null | string;
}

function writeRecord(event: ChangeEvent, options: DtsAvroOptions, parts: RecordParts): Buffer {
  const w = writer;
  w.reset();
  const seconds = Math.floor(event.timestamp / 1000);
  const sourcePosition = positionText(event.position);
  w.writeInt(0); // version: 0 in every captured MySQL record
  w.writeLong(parts.id);
  w.writeLong(seconds); // sourceTimestamp: seconds (`docs/formats/dts-avro.md` §3)
  w.writeString(sourcePosition);
  w.writeString(
    event.kind === 'ddl' || !event.transactionStart
      ? sourcePosition
      : positionText(event.transactionStart),
  );
  w.writeString('0'); // sourceTxid: "0" for MySQL
  w.writeInt(0); // Source.sourceType: MySQL
  w.writeString(options.sourceVersion);
  w.writeInt(parts.operation);
  if (parts.objectName === null) {
    w.writeInt(0);
  } else if (typeof parts.objectName === 'string') {
    w.writeInt(1);
    w.writeString(parts.objectName);
  } else {
    w.writeRaw(parts.objectName);
  }
  w.writeInt(0); // processTimestamps: null, as captured
  if (parts.tags.length > 0) {
    w.writeLong(parts.tags.length);
    for (const tag of parts.tags) {
      if (Buffer.isBuffer(tag)) {
        w.writeRaw(tag);
      } else {
        w.writeString(tag[0]);
        w.writeString(tag[1]);
      }
    }
  }
  w.writeInt(0);
  if (parts.fields === null) w.writeInt(0);
  else w.writeRaw(parts.fields);
  writeImage(w, parts.columns, parts.before);
  if (typeof parts.after === 'string') {
    w.writeInt(1);
    w.writeString(parts.after);
  } else {
    writeImage(w, parts.columns, parts.after);
  }
  w.writeLong(seconds); // bornTimestamp: seconds like sourceTimestamp, as captured data shows
  return (options.copyValue ?? copyToNewBuffer)(w.written());
}

function commonTags(
  event: ChangeEvent,
  options: DtsAvroOptions,
  tags: Array<[string, string] | Buffer>,
): void {
  if (options.readerThroughoutTime !== undefined)
    tags.push(['readerThroughoutTime', String(options.readerThroughoutTime)]);
  if (event.serverId !== null) tags.push(['server_id', String(event.serverId)]);
}

function gtidTags(event: ChangeEvent, tags: Array<[string, string] | Buffer>): void {
  if (event.gtid !== null) tags.push(['GTID', event.gtid]);
  if (event.position?.gtidSet) tags.push(['GTID_SET', event.position.gtidSet]);
}

/**
 * Encodes a change event as DTS Avro records: one per row for row events (DTS images hold one
 * row), one for every other event. Record ids are `options.id`, `options.id + 1`, …; the caller
 * advances its serial by the number of buffers returned.
 */
export function encodeDtsAvro(event: ChangeEvent, options: DtsAvroOptions): Buffer[] {
  switch (event.kind) {
    case 'snapshot':
    case 'insert':
    case 'update':
    case 'delete': {
      const plan = tablePlan(event.schema);
      const tags: Array<[string, string] | Buffer> = [plan.pkUkInfo];
      commonTags(event, options, tags);
      const out: Buffer[] = [];
      for (let i = 0; i < event.rows.length; i++) {
        const parts: RecordParts = {
          id: options.id + i,
          operation: Operation.INSERT,
          objectName: plan.objectName,
          tags,
          fields: plan.fields,
          columns: plan.columns,
          before: null,
          after: null,
        };
        switch (event.kind) {
          case 'snapshot':
            // Full-stage rows are INIT records (the DTS demo Readme: "full data type is INIT").
            parts.operation = Operation.INIT;
            parts.after = event.rows[i]!;
            break;
          case 'insert':
            parts.after = event.rows[i]!;
            break;
          case 'update':
            parts.operation = Operation.UPDATE;
            parts.before = event.rows[i]!.before;
            parts.after = event.rows[i]!.after;
            break;
          case 'delete':
            parts.operation = Operation.DELETE;
            parts.before = event.rows[i]!;
            break;
        }
        out.push(writeRecord(event, options, parts));
      }
      return out;
    }
    case 'ddl': {
      const tags: Array<[string, string] | Buffer> = [];
      commonTags(event, options, tags);
      gtidTags(event, tags);
      return [
        writeRecord(event, options, {
          id: options.id,
          operation: Operation.DDL,
          objectName: event.database === '' ? null : escapeObjectName(event.database),
          tags,
          fields: null,
          columns: [],
          before: null,
          after: event.sql,
        }),
      ];
    }
    case 'begin':
    case 'commit':
    case 'heartbeat': {
      const tags: Array<[string, string] | Buffer> = [];
      commonTags(event, options, tags);
      if (event.kind === 'begin') gtidTags(event, tags);
      const operation =
        event.kind === 'begin'
          ? Operation.BEGIN
          : event.kind === 'commit'
            ? Operation.COMMIT
            : Operation.HEARTBEAT;
      return [
        writeRecord(event, options, {
          id: options.id,
          operation,
          objectName: null,
          tags,
          fields: null,
          columns: [],
          before: null,
          after: null,
        }),
      ];
    }
  }
}
