/**
 * How Canal turns one column value into the text of a FlatMessage `data`/`old` entry, and which
 * `java.sql.Types` code it reports in `sqlType`. Rules from Canal `RowsLogBuffer.fetchValue` /
 * `mysqlToJavaType` and `LogEventConvert.parseOneRow` (`docs/formats/canal-json.md`
 * §3 and §4); where we deliberately differ, the package README's compatibility table
 * says so.
 */
import type { CellValue, ColumnSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import { javaDoubleToString, javaFloatToString } from '../java-number-text';
import { formatWallClock, parseUtcTimestamp } from '../temporal';
import { resolveTimeZone, type TimeZoneRule } from '../time-zone';

export interface CanalValueOptions {
  /**
   * Zone to print TIMESTAMP values in (Canal prints them in its JVM's default zone): an IANA
   * name (`Asia/Shanghai`), `UTC`, or an offset (`+08:00`). Pass the source server's time zone.
   */
  timeZone: string;
  /** Which text the values take: `canal` (the default) or `flink` (see `CanalJsonValues`). */
  values?: CanalJsonValues;
}

/**
 * The text of the values in `data` and `old`. `canal`: Canal's text, byte for byte. `flink`:
 * what Flink's `canal-json` format reads under each column's natural Flink SQL type, the
 * rest as Canal writes it: BINARY, VARBINARY, BLOB and GEOMETRY values and BIT(n > 1) in
 * base64 (Flink's BYTES), BIT(1) as `true`/`false` (BOOLEAN), a date or datetime with a zero
 * part (`0000-00-00`, `2024-00-10`) and the zero TIMESTAMP as null (Flink's DATE and TIMESTAMP
 * hold no such value), TIMESTAMP as the UTC instant with a `Z` (TIMESTAMP_LTZ). The package
 * README says why, and what each MySQL type is then declared as.
 */
export type CanalJsonValues = 'canal' | 'flink';

/**
 * Renders a non-null canonical value as the message's text; null where the `flink` values
 * write SQL NULL for a value Flink cannot hold (Canal's text is never null).
 */
export type CanalRenderer = (value: Exclude<CellValue, null>) => string | null;

/**
 * How `sqlType` treats unsigned integers. `column` (our default): by the column's type, as DTS
 * documents it ("unsigned int becomes Long, unsigned long becomes BigDecimal"), so a column's
 * code never changes between messages. `value`: exactly like Canal, which only promotes when
 * the value does not fit the signed type (and lets the last row of a message decide).
 */
export type UnsignedSqlTypeRule = 'column' | 'value';

/** `java.sql.Types` codes Canal writes. */
const Types = {
  BIT: -7,
  TINYINT: -6,
  SMALLINT: 5,
  INTEGER: 4,
  BIGINT: -5,
  DECIMAL: 3,
  REAL: 7,
  DOUBLE: 8,
  CHAR: 1,
  VARCHAR: 12,
  DATE: 91,
  TIME: 92,
  TIMESTAMP: 93,
  BINARY: -2,
  VARBINARY: -3,
  LONGVARBINARY: -4,
  BLOB: 2004,
  CLOB: 2005,
  OTHER: 1111,
} as const;

interface IntegerKind {
  signed: number;
  /** Canal's code when the unsigned value exceeds the signed range (`LogEventConvert`). */
  promoted: number;
  signedMax: string;
}

const INTEGER_KINDS: Record<string, IntegerKind> = {
  tinyint: { signed: Types.TINYINT, promoted: Types.SMALLINT, signedMax: '127' },
  smallint: { signed: Types.SMALLINT, promoted: Types.INTEGER, signedMax: '32767' },
  mediumint: { signed: Types.INTEGER, promoted: Types.INTEGER, signedMax: '8388607' },
  int: { signed: Types.INTEGER, promoted: Types.BIGINT, signedMax: '2147483647' },
  integer: { signed: Types.INTEGER, promoted: Types.BIGINT, signedMax: '2147483647' },
  bigint: { signed: Types.BIGINT, promoted: Types.DECIMAL, signedMax: '9223372036854775807' },
};

function integerKind(column: ColumnSchema): IntegerKind {
  const kind = INTEGER_KINDS[column.dataType];
  if (kind !== undefined) return kind;
  // Fall back on the storage size when the type name is unusual (`int4`, `bool`).
  switch (column.precision) {
    case 1:
      return INTEGER_KINDS.tinyint!;
    case 2:
      return INTEGER_KINDS.smallint!;
    case 3:
      return INTEGER_KINDS.mediumint!;
    case 8:
      return INTEGER_KINDS.bigint!;
    default:
      return INTEGER_KINDS.int!;
  }
}

/** Whether a non-negative decimal string is greater than another (both without signs). */
function isGreater(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * The `sqlType` code of a column for one value (null or not), as Canal 1.1.7 gives it: the
 * parser's code (`RowsLogBuffer.fetchValue` for a value, `mysqlToJavaType` for SQL NULL), then
 * `LogEventConvert.parseOneRow` rewrites every BINARY/VARBINARY/LONGVARBINARY code, NULL
 * included (issue #4652), to 2005 CLOB for a TEXT-family column and 2004 BLOB otherwise. So
 * TEXT and MariaDB's JSON (LONGTEXT) are 2005, except a MariaDB JSON column declared by DDL
 * during the stream, whose declared type Canal keeps, 2004; BINARY, VARBINARY, BLOB and GEOMETRY 2004; SET
 * -7 with a value but 2004 as NULL (`mysqlToJavaType` maps SET to BINARY); MySQL's JSON 12 with
 * a value but 1111 as NULL (`mysqlToJavaType` has no JSON case and OTHER is not rewritten).
 * MariaDB's UUID/INET4/INET6 are logged as CHAR of the binary charset and Canal, which does not
 * see "binary" in their type names, reports CHAR (1).
 */
export function canalSqlType(
  column: ColumnSchema,
  value: CellValue,
  rule: UnsignedSqlTypeRule,
): number {
  const isNull = value === null;
  switch (column.family) {
    case 'integer': {
      const kind = integerKind(column);
      if (!column.unsigned) return kind.signed;
      if (rule === 'column') return kind.promoted;
      return !isNull && typeof value === 'string' && isGreater(value, kind.signedMax)
        ? kind.promoted
        : kind.signed;
    }
    case 'decimal':
      return Types.DECIMAL;
    case 'float':
      return Types.REAL;
    case 'double':
      return Types.DOUBLE;
    case 'bit':
      return Types.BIT;
    case 'year':
      return Types.VARCHAR;
    case 'date':
      return Types.DATE;
    case 'time':
      return Types.TIME;
    case 'datetime':
    case 'timestamp':
      return Types.TIMESTAMP;
    case 'char':
      return column.dataType === 'varchar' ? Types.VARCHAR : Types.CHAR;
    case 'text':
      return Types.CLOB;
    case 'binary':
    case 'blob':
    case 'geometry':
      return Types.BLOB;
    case 'enum':
      return Types.INTEGER;
    case 'set':
      return isNull ? Types.BLOB : Types.BIT;
    case 'json':
      // MySQL's JSON is a binlog type of its own; MariaDB's is LONGTEXT (dataType longtext),
      // which Canal rewrites to CLOB when its table meta says TEXT (a table read with DESC:
      // `longtext`) and to BLOB when it says JSON (a column it learned from a replayed DDL).
      if (column.dataType !== 'json') {
        return /\bjson\b/i.test(column.columnType) ? Types.BLOB : Types.CLOB;
      }
      return isNull ? Types.OTHER : Types.VARCHAR;
  }
}

/** Whether a column's `sqlType` can differ between messages (so it cannot be precomputed). */
export function isSqlTypeValueDependent(column: ColumnSchema, rule: UnsignedSqlTypeRule): boolean {
  if (column.family === 'integer') return column.unsigned && rule === 'value';
  return canalSqlType(column, null, rule) !== canalSqlType(column, '', rule);
}

/**
 * Whether Canal's text for this family can hold characters JSON must escape. Numbers, dates
 * and times never do, so their text is quoted without `JSON.stringify`.
 */
export function needsJsonEscaping(column: ColumnSchema): boolean {
  switch (column.family) {
    case 'char':
    case 'text':
    case 'binary':
    case 'blob':
    case 'geometry':
    case 'json':
      return true;
    default:
      return false;
  }
}

function bufferToUnsignedDecimal(bytes: Buffer): string {
  if (bytes.length === 0) return '0';
  if (bytes.length <= 6) return String(bytes.readUIntBE(0, bytes.length));
  return BigInt(`0x${bytes.toString('hex')}`).toString();
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

// LogEventConvert keeps bytes as an ISO-8859-1 string (one char per byte, issue #66).
const latin1Text: CanalRenderer = (value) =>
  Buffer.isBuffer(value) ? value.toString('latin1') : String(value);

const DIGITS_PER_GROUP = 9;

/**
 * DECIMAL as Canal prints it. Canal decodes the binlog's binary DECIMAL itself
 * (`LogBuffer.getDecimal0`, after MySQL's `bin2decimal`), in groups of nine digits, and prints
 * the result with `BigDecimal.toPlainString`: the integer part without leading zeros, then
 * every full group of nine fraction digits, then the trailing partial group (scale mod 9
 * digits) only when it is not zero, and a single `0` when no fraction digit is left. So the
 * column scale is not kept: `5.00` in DECIMAL(10,2) is `5.0`, `5.10` stays `5.10`, `1` in
 * DECIMAL(65,30) has 27 fraction digits while `1e-30` keeps 30. A zero is never negative
 * (BigDecimal has no -0). The snapshot's values go through the same rule, so a consumer sees
 * one spelling of a value whichever stage read it. Input: canonical text, exactly `scale`
 * fraction digits.
 */
export function canalDecimalText(value: string): string {
  const point = value.indexOf('.');
  if (point < 0) return value === '-0' ? '0' : value;
  const fraction = value.slice(point + 1);
  const fullLength = fraction.length - (fraction.length % DIGITS_PER_GROUP);
  const partial = fraction.slice(fullLength);
  let kept = fraction.slice(0, fullLength);
  if (/[1-9]/.test(partial)) kept += partial;
  if (kept === '') kept = '0';
  const text = `${value.slice(0, point)}.${kept}`;
  return text.startsWith('-') && !/[1-9]/.test(text) ? text.slice(1) : text;
}

/** Whether a canonical DATE or DATETIME has a zero month or day (`0000-00-00`, `2024-00-10`). */
function hasZeroDatePart(value: string): boolean {
  return (
    (value.charCodeAt(5) === 48 && value.charCodeAt(6) === 48) ||
    (value.charCodeAt(8) === 48 && value.charCodeAt(9) === 48)
  );
}

/**
 * The renderer of the `flink` values for the families whose text differs from Canal's, or
 * undefined for the others. What Flink 1.20's `JsonToRowDataConverters` (the converters of
 * `canal-json`, default `timestamp-format.standard` SQL) accepts, checked with the real Flink
 * by packages/conformance: BYTES reads the text as base64 (Jackson's `binaryValue`); BOOLEAN
 * is `Boolean.parseBoolean` of the text; DATE is `ISO_LOCAL_DATE` and TIMESTAMP
 * `yyyy-MM-dd HH:mm:ss[.f…]`, both rejecting a zero month or day; TIMESTAMP_LTZ wants
 * `yyyy-MM-dd HH:mm:ss[.f…]Z`.
 */
function createFlinkRenderer(column: ColumnSchema): CanalRenderer | undefined {
  switch (column.family) {
    case 'binary':
    case 'blob':
    case 'geometry':
      // Every stored byte, BINARY(n) padding included: the bytes a SELECT returns.
      return (value) => {
        if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
        return value.toString('base64');
      };
    case 'bit':
      if ((column.precision ?? 1) === 1) {
        // BIT(1) is a flag (Flink CDC and Debezium map it to BOOLEAN).
        return (value) => {
          if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
          return value.some((byte) => byte !== 0) ? 'true' : 'false';
        };
      }
      return (value) => {
        if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
        return value.toString('base64');
      };
    case 'date':
    case 'datetime':
      return (value) => {
        if (typeof value !== 'string') throw invalidValue(column, value);
        return hasZeroDatePart(value) ? null : value;
      };
    case 'timestamp':
      // The canonical TIMESTAMP is the UTC wall clock; the only zero one is all zeros.
      return (value) => {
        if (typeof value !== 'string') throw invalidValue(column, value);
        return parseUtcTimestamp(value).isZero ? null : `${value}Z`;
      };
    default:
      return undefined;
  }
}

/** Builds the renderer for one column; `createCanalRenderer` results are cached per table. */
export function createCanalRenderer(
  column: ColumnSchema,
  zone: TimeZoneRule,
  values: CanalJsonValues = 'canal',
): CanalRenderer {
  if (values === 'flink') {
    const flink = createFlinkRenderer(column);
    if (flink !== undefined) return flink;
  }
  switch (column.family) {
    case 'decimal':
      return (value) => {
        if (typeof value !== 'string') throw invalidValue(column, value);
        return canalDecimalText(value);
      };
    case 'integer':
    case 'date':
    case 'datetime':
    case 'time':
    case 'char':
    case 'text':
    case 'json':
      // Canonical text already is Canal's text: decimal strings, dates and times with exactly
      // fsp fraction digits (RowsLogBuffer).
      return (value) => (typeof value === 'string' ? value : String(value));
    case 'float':
      return (value) => {
        if (typeof value !== 'number') throw invalidValue(column, value);
        return javaFloatToString(value);
      };
    case 'double':
      return (value) => {
        if (typeof value !== 'number') throw invalidValue(column, value);
        return javaDoubleToString(value);
      };
    case 'bit':
      // RowsLogBuffer reads BIT big-endian as an unsigned number; BIT(1) is 0 or 1.
      return (value) => {
        if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
        return bufferToUnsignedDecimal(value);
      };
    case 'year':
      return (value) => (value === 0 || value === '0' ? '0000' : String(value));
    case 'timestamp':
      return (value) => {
        if (typeof value !== 'string') throw invalidValue(column, value);
        const instant = parseUtcTimestamp(value);
        const fraction = instant.fraction === '' ? '' : `.${instant.fraction}`;
        if (instant.isZero) return `0000-00-00 00:00:00${fraction}`;
        const local = instant.epochSeconds + zone.offsetAt(instant.epochSeconds);
        return formatWallClock(local) + fraction;
      };
    case 'binary':
      if (column.dataType === 'binary') {
        // The binlog logs BINARY(n) without its trailing 0x00 padding and Canal prints what it
        // read: 0x61620000 in BINARY(4) is "ab", all zeros "". The canonical value has the
        // padding (SELECT returns n bytes), so it is taken off here.
        return (value) => {
          if (!Buffer.isBuffer(value)) throw invalidValue(column, value);
          let end = value.length;
          while (end > 0 && value[end - 1] === 0) end -= 1;
          return value.toString('latin1', 0, end);
        };
      }
      return latin1Text;
    case 'blob':
    case 'geometry':
      return latin1Text;
    case 'enum': {
      // The binlog carries the 1-based member index and Canal prints it (issues #157, #1008).
      const indexByLabel = new Map<string, number>();
      (column.members ?? []).forEach((member, i) => indexByLabel.set(member, i + 1));
      return (value) => String(indexByLabel.get(String(value)) ?? 0);
    }
    case 'set': {
      // The binlog carries the member bitmask and Canal prints it as a number (issue #1925).
      const bitByLabel = new Map<string, bigint>();
      (column.members ?? []).forEach((member, i) => bitByLabel.set(member, 1n << BigInt(i)));
      return (value) => {
        const text = String(value);
        if (text === '') return '0';
        let mask = 0n;
        for (const label of text.split(',')) mask |= bitByLabel.get(label) ?? 0n;
        return mask.toString();
      };
    }
  }
}

const renderersByColumn = new WeakMap<ColumnSchema, Map<string, CanalRenderer>>();

/**
 * Canal's text for one value, or null for SQL NULL: what a Canal JSON consumer sees in `data`
 * (with `values: 'flink'`, the Flink text, null for a value Flink cannot hold). The sink uses
 * Canal's text to hash key columns the way Canal's partitioner does.
 */
export function renderCanalValue(
  column: ColumnSchema,
  value: CellValue,
  options: CanalValueOptions,
): string | null {
  if (value === null) return null;
  let bySettings = renderersByColumn.get(column);
  if (bySettings === undefined) {
    bySettings = new Map();
    renderersByColumn.set(column, bySettings);
  }
  const values = options.values ?? 'canal';
  const key = values === 'canal' ? options.timeZone : `${values} ${options.timeZone}`;
  let render = bySettings.get(key);
  if (render === undefined) {
    render = createCanalRenderer(column, resolveTimeZone(options.timeZone), values);
    bySettings.set(key, render);
  }
  return render(value);
}
