/**
 * Date and time values in the binlog's row formats, rendered as the canonical strings of
 * `@tidewater/change-events` (the text `SELECT` prints: `YYYY-MM-DD HH:MM:SS[.ffffff]`).
 *
 * Layouts: MySQL's "temporal format since 5.6.4" (sql-common/my_time.cc, `my_datetime_packed_from_binary`,
 * `my_time_packed_from_binary`, `my_timestamp_from_binary`; MariaDB uses the same for
 * `mysql56_temporal_format=ON`, its default): big-endian integers with an offset so that they sort
 * as bytes, followed by `ceil(fsp / 2)` bytes of fraction. The pre-5.6.4 formats (DATE, old TIME,
 * DATETIME and TIMESTAMP) are plain little-endian integers.
 */

const TWO_DIGITS: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

function pad2(value: number): string {
  return value < 100 ? TWO_DIGITS[value]! : String(value);
}

function pad4(value: number): string {
  if (value >= 1000) return String(value);
  if (value >= 100) return `0${value}`;
  if (value >= 10) return `00${value}`;
  return `000${value}`;
}

/** The fraction bytes for `fsp` digits (0–3 bytes). */
export function fractionLength(fsp: number): number {
  return (fsp + 1) >> 1;
}

/** `.` plus exactly `fsp` digits of `micros`, or `""` when fsp is 0. */
export function formatFraction(micros: number, fsp: number): string {
  if (fsp <= 0) return '';
  const text = String(micros);
  const six = text.length >= 6 ? text : '000000'.slice(text.length) + text;
  return `.${six.slice(0, fsp)}`;
}

/** The stored fraction in microseconds (fsp 1–2: hundredths, 3–4: 1/10000 s, 5–6: µs). */
function readFractionMicros(bytes: Buffer, pos: number, fsp: number): number {
  switch (fractionLength(fsp)) {
    case 1:
      return bytes[pos]! * 10000;
    case 2:
      return bytes.readUInt16BE(pos) * 100;
    case 3:
      return bytes.readUIntBE(pos, 3);
    default:
      return 0;
  }
}

export function formatDate(year: number, month: number, day: number): string {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

export function formatDateTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micros: number,
  fsp: number,
): string {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}${formatFraction(micros, fsp)}`;
}

/** DATE: 3 bytes little-endian, day in bits 0–4, month 5–8, year from bit 9. */
export function decodeDate(bytes: Buffer, pos: number): string {
  const value = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16);
  return formatDate(value >>> 9, (value >>> 5) & 15, value & 31);
}

/** DATETIME2: 5 bytes big-endian minus 0x8000000000: year*13+month (17 bits), day, h, m, s. */
export function decodeDatetime2(bytes: Buffer, pos: number, fsp: number): string {
  const packed = bytes[pos]! * 0x100000000 + bytes.readUInt32BE(pos + 1) - 0x8000000000;
  const ymd = Math.floor(packed / 0x20000);
  const hms = packed % 0x20000;
  const ym = ymd >>> 5;
  const micros = fsp > 0 ? readFractionMicros(bytes, pos + 5, fsp) : 0;
  return formatDateTime(
    Math.floor(ym / 13),
    ym % 13,
    ymd & 31,
    hms >>> 12,
    (hms >>> 6) & 63,
    hms & 63,
    micros,
    fsp,
  );
}

/** TIMESTAMP2: 4 bytes big-endian seconds since the epoch (UTC) + fraction; 0 is the zero value. */
export function decodeTimestamp2(bytes: Buffer, pos: number, fsp: number): string {
  const seconds = bytes.readUInt32BE(pos);
  const micros = fsp > 0 ? readFractionMicros(bytes, pos + 4, fsp) : 0;
  return formatUnixSeconds(seconds, micros, fsp);
}

/** Old TIMESTAMP: 4 bytes little-endian seconds. */
export function decodeTimestamp(bytes: Buffer, pos: number): string {
  return formatUnixSeconds(bytes.readUInt32LE(pos), 0, 0);
}

/** UTC civil date of a day count (days-from-civil inverse, proleptic Gregorian calendar). */
export function formatUnixSeconds(seconds: number, micros: number, fsp: number): string {
  if (seconds === 0 && micros === 0) return formatDateTime(0, 0, 0, 0, 0, 0, 0, fsp);
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return formatDateTime(
    year,
    month,
    day,
    Math.floor(secondOfDay / 3600),
    Math.floor(secondOfDay / 60) % 60,
    secondOfDay % 60,
    micros,
    fsp,
  );
}

/**
 * TIME2: 3 bytes big-endian minus 0x800000 (sign, 10 bits hour, 6 minute, 6 second) and the
 * fraction; negative values borrow from the integer part (`my_time_packed_from_binary`).
 */
export function decodeTime2(bytes: Buffer, pos: number, fsp: number): string {
  let packed: number;
  let intPart = ((bytes[pos]! << 16) | (bytes[pos + 1]! << 8) | bytes[pos + 2]!) - 0x800000;
  switch (fractionLength(fsp)) {
    case 1: {
      let frac = bytes[pos + 3]!;
      if (intPart < 0 && frac !== 0) {
        intPart += 1;
        frac -= 0x100;
      }
      packed = intPart * 0x1000000 + frac * 10000;
      break;
    }
    case 2: {
      let frac = bytes.readUInt16BE(pos + 3);
      if (intPart < 0 && frac !== 0) {
        intPart += 1;
        frac -= 0x10000;
      }
      packed = intPart * 0x1000000 + frac * 100;
      break;
    }
    case 3:
      packed = bytes.readUIntBE(pos, 6) - 0x800000000000;
      break;
    default:
      packed = intPart * 0x1000000;
  }
  const isNegative = packed < 0;
  const magnitude = Math.abs(packed);
  const hms = Math.floor(magnitude / 0x1000000);
  const micros = magnitude % 0x1000000;
  const text = `${pad2((hms >>> 12) % 1024)}:${pad2((hms >>> 6) & 63)}:${pad2(hms & 63)}${formatFraction(micros, fsp)}`;
  return isNegative ? `-${text}` : text;
}

/** Old TIME: 3 bytes little-endian signed integer HHMMSS. */
export function decodeTime(bytes: Buffer, pos: number): string {
  const value = bytes.readIntLE(pos, 3);
  const magnitude = Math.abs(value);
  const text = `${pad2(Math.floor(magnitude / 10000))}:${pad2(Math.floor(magnitude / 100) % 100)}:${pad2(magnitude % 100)}`;
  return value < 0 ? `-${text}` : text;
}

/** Old DATETIME: 8 bytes little-endian integer YYYYMMDDhhmmss. */
export function decodeDatetime(bytes: Buffer, pos: number): string {
  const value = bytes.readUInt32LE(pos) + bytes.readUInt32LE(pos + 4) * 0x100000000;
  const date = Math.floor(value / 1000000);
  const time = value % 1000000;
  return formatDateTime(
    Math.floor(date / 10000),
    Math.floor(date / 100) % 100,
    date % 100,
    Math.floor(time / 10000),
    Math.floor(time / 100) % 100,
    time % 100,
    0,
    0,
  );
}

/*
 * MariaDB 5.3's temporal formats with fractional seconds: columns created with
 * `mysql56_temporal_format=OFF` (or before MariaDB 10.1.2, and kept since), which
 * information_schema marks `/* mariadb-5.3 *\/`. The table map gives them the old types (TIME,
 * DATETIME, TIMESTAMP) without metadata, so the number of fraction digits n comes from the
 * schema. Layouts of `Field_time_hires`, `Field_datetime_hires`, `Field_timestamp_hires`
 * (MariaDB sql/field.cc), checked byte for byte against MariaDB 10.11's binlog:
 * - TIME(n): big-endian unsigned in TIME_HIRES_BYTES[n] bytes, the signed time in units of
 *   10^(n-6) s plus an offset of 838:59:59 + 1 s in the same units;
 * - DATETIME(n): big-endian unsigned in DATETIME_HIRES_BYTES[n] bytes,
 *   `((((((year*13+month)*32+day)*24+hour)*60+minute)*60+second)*10^6+µs) / 10^(6-n)`;
 * - TIMESTAMP(n): 4 bytes big-endian seconds since the epoch, then the fraction in units of
 *   10^(n-6) s, big-endian in SECOND_PART_BYTES[n] bytes.
 */
const TIME_HIRES_BYTES = [3, 4, 4, 5, 5, 5, 6];
const DATETIME_HIRES_BYTES = [5, 6, 6, 7, 7, 7, 8];
const SECOND_PART_BYTES = [0, 1, 1, 2, 2, 3, 3];
const TIME_HIRES_ZERO_SECONDS = 838 * 3600 + 59 * 60 + 59 + 1;

export type HiresTemporal = 'time' | 'datetime' | 'timestamp';

/** Bytes of a MariaDB 5.3 value with `fsp` (1–6) fraction digits. */
export function hiresLength(kind: HiresTemporal, fsp: number): number {
  switch (kind) {
    case 'time':
      return TIME_HIRES_BYTES[fsp]!;
    case 'datetime':
      return DATETIME_HIRES_BYTES[fsp]!;
    case 'timestamp':
      return 4 + SECOND_PART_BYTES[fsp]!;
  }
}

export function decodeTimeHires(bytes: Buffer, pos: number, fsp: number): string {
  const unit = 10 ** (6 - fsp);
  const value =
    bytes.readUIntBE(pos, TIME_HIRES_BYTES[fsp]!) - (TIME_HIRES_ZERO_SECONDS * 1e6) / unit;
  const micros = Math.abs(value) * unit;
  const seconds = Math.floor(micros / 1e6);
  const text = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}${formatFraction(micros % 1e6, fsp)}`;
  return value < 0 ? `-${text}` : text;
}

export function decodeDatetimeHires(bytes: Buffer, pos: number, fsp: number): string {
  const length = DATETIME_HIRES_BYTES[fsp]!;
  let raw = 0n;
  for (let i = 0; i < length; i += 1) raw = (raw << 8n) | BigInt(bytes[pos + i]!);
  const packed = raw * 10n ** BigInt(6 - fsp);
  const micros = Number(packed % 1000000n);
  let rest = Number(packed / 1000000n);
  const second = rest % 60;
  rest = Math.floor(rest / 60);
  const minute = rest % 60;
  rest = Math.floor(rest / 60);
  const hour = rest % 24;
  rest = Math.floor(rest / 24);
  const day = rest % 32;
  rest = Math.floor(rest / 32);
  return formatDateTime(Math.floor(rest / 13), rest % 13, day, hour, minute, second, micros, fsp);
}

export function decodeTimestampHires(bytes: Buffer, pos: number, fsp: number): string {
  const fraction = bytes.readUIntBE(pos + 4, SECOND_PART_BYTES[fsp]!);
  return formatUnixSeconds(bytes.readUInt32BE(pos), fraction * 10 ** (6 - fsp), fsp);
}
