/**
 * The values the filter evaluator computes with, and the server's conversions between them:
 * exact decimals, MariaDB's string-to-number rules (strings/decimal.c `internal_str2dec`,
 * strings/dtoa.c `my_strtod`), and temporal values in a form that orders as the server's
 * packed temporals do.
 *
 * A conversion the evaluator cannot do exactly (a numeric string of 80 digits, an exponent
 * past the double range) returns `undefined`; the caller refuses to decide rather than guess.
 */

/** An exact decimal: `m × 10^-s`. */
export interface Decimal {
  readonly m: bigint;
  readonly s: number;
}

const TEN = 10n;

function pow10(exponent: number): bigint {
  return TEN ** BigInt(exponent);
}

export function decimalOf(value: bigint, scale = 0): Decimal {
  return { m: value, s: scale };
}

/** A decimal from plain digits (`-12.340`, `5`, `.5`, `1.`); undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = BigInt(`${whole}${fraction}` || '0');
  return { m: sign === '-' ? -digits : digits, s: fraction.length };
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.s === b.s) return [a.m, b.m, a.s];
  if (a.s > b.s) return [a.m, b.m * pow10(a.s - b.s), a.s];
  return [a.m * pow10(b.s - a.s), b.m, b.s];
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = aligned(a, b);
  return { m: x + y, s };
}

export function subtractDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = aligned(a, b);
  return { m: x - y, s };
}

export function multiplyDecimal(a: Decimal, b: Decimal): Decimal {
  return { m: a.m * b.m, s: a.s + b.s };
}

export function negateDecimal(a: Decimal): Decimal {
  return { m: -a.m, s: a.s };
}

export function isZeroDecimal(a: Decimal): boolean {
  return a.m === 0n;
}

/** Digits before the point (at least one), the measure of a decimal's size. */
export function integerDigits(a: Decimal): number {
  const magnitude = a.m < 0n ? -a.m : a.m;
  const whole = magnitude / pow10(a.s);
  return whole === 0n ? 1 : whole.toString().length;
}

export function decimalToString(a: Decimal): string {
  const negative = a.m < 0n;
  const digits = (negative ? -a.m : a.m).toString().padStart(a.s + 1, '0');
  const text = a.s === 0 ? digits : `${digits.slice(0, -a.s)}.${digits.slice(-a.s)}`;
  return negative ? `-${text}` : text;
}

/** The nearest double, as MariaDB's `decimal2double` (decimal text through `my_strtod`). */
export function decimalToDouble(a: Decimal): number {
  return Number(decimalToString(a));
}

/** The decimal value of an integer-valued decimal, or undefined when it has a fraction. */
export function decimalToBigint(a: Decimal): bigint | undefined {
  const unit = pow10(a.s);
  return a.m % unit === 0n ? a.m / unit : undefined;
}

// ---------------------------------------------------------------------------------------------
// Strings as numbers.

/** latin1 `my_isspace`: what `internal_str2dec` skips before a number. */
const DECIMAL_SPACE = /^[\t\n\v\f\r ]*/;
/** The whitespace the server skips before a number read as a DOUBLE (as for DECIMAL). */
const DOUBLE_SPACE = /^[\t\n\v\f\r ]*/;

/** `my_decimal` holds nine 9-digit units; conversions that need more are not emulated. */
const DECIMAL_UNITS = 9;

const unitsFor = (digits: number): number => Math.ceil(digits / 9);

/**
 * A string's value as a DECIMAL, the way the server reads it for a comparison: leading
 * whitespace skipped, an optional sign, digits with an optional fraction and exponent; what
 * follows is ignored (with a warning on the server) and a string without digits is 0.
 */
export function stringToDecimal(text: string): Decimal | undefined {
  const rest = text.slice(DECIMAL_SPACE.exec(text)?.[0].length ?? 0);
  const match = /^([+-]?)(\d*)(?:\.(\d*))?/.exec(rest);
  const [prefix = '', sign = '', whole = '', fraction = ''] = match ?? [];
  if (whole === '' && fraction === '') return { m: 0n, s: 0 };
  let exponent = 0;
  const after = rest.slice(prefix.length);
  if (/^[eE]/.test(after) && after.length > 1) {
    const exponentMatch = /^[eE]([+-]?)(\d+)/.exec(after);
    if (exponentMatch === null) {
      // my_strtoll10 would skip spaces and read a sign; that corner is not emulated.
      if (/^[eE][\s+-]/.test(after)) return undefined;
    } else {
      const digits = exponentMatch[2] as string;
      if (digits.replace(/^0+/, '').length > 2) return undefined;
      exponent = Number(digits) * (exponentMatch[1] === '-' ? -1 : 1);
    }
  }
  const shift = Math.abs(exponent);
  if (unitsFor(whole.length + shift) + unitsFor(fraction.length + shift) > DECIMAL_UNITS)
    return undefined;
  const digits = BigInt(`${whole}${fraction}` || '0');
  const m = sign === '-' ? -digits : digits;
  const scale = fraction.length - exponent;
  return scale >= 0 ? { m, s: scale } : { m: m * pow10(-scale), s: 0 };
}

/**
 * A string's value as a DOUBLE (`my_strtod`): spaces and tabs skipped, an optional sign, the
 * longest number prefix, correctly rounded; no digits is 0. Undefined when the value leaves the
 * double range (the server clamps there in ways not emulated).
 */
export function stringToDouble(text: string): number | undefined {
  const rest = text.slice(DOUBLE_SPACE.exec(text)?.[0].length ?? 0);
  const match = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
  if (match === null) return 0;
  const value = Number(match[0]);
  if (!Number.isFinite(value)) return undefined;
  if (value === 0 && /[1-9]/.test(match[0].split(/[eE]/)[0] as string)) return undefined;
  // Subnormal results: dtoa and V8 agree on correct rounding, but keep away from the edge.
  if (value !== 0 && Math.abs(value) < 2.2250738585072014e-308) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Integers.

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

/** `rint()` in the default rounding mode: to nearest, ties to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference < 0.5) return floor;
  if (difference > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** 2^63 and 2^64 as doubles: `(double) LONGLONG_MAX` and `(double) ULONGLONG_MAX`. */
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/**
 * What storing a double constant into a BIGINT column gives (`Converter_double_to_longlong`):
 * the value rounded to an integer and clamped, or undefined when the store reports an error.
 */
export function storeDoubleInBigint(value: number, isUnsigned: boolean): bigint | undefined {
  if (Number.isNaN(value)) return undefined;
  const rounded = roundHalfEven(value);
  if (isUnsigned) {
    if (rounded < 0 || rounded >= TWO_64) return undefined;
    return BigInt(rounded);
  }
  if (rounded <= -TWO_63) return rounded < -TWO_63 ? undefined : INT64_MIN;
  if (rounded >= TWO_63) return rounded > TWO_63 ? undefined : INT64_MAX;
  return BigInt(rounded);
}

// ---------------------------------------------------------------------------------------------
// Temporal values. DATE as `YYYY-MM-DD`, DATETIME as `YYYY-MM-DD HH:MM:SS.ffffff` (strings of
// one width order as the packed values do), TIME as signed microseconds.

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const isLeap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && !isLeap ? 28 : (DAYS_IN_MONTH[month - 1] as number);
  return day <= days;
}

/** A date literal: exactly `YYYY-MM-DD`, a real calendar date. */
export function parseDateLiteral(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  return isValidDate(Number(match[1]), Number(match[2]), Number(match[3])) ? text : undefined;
}

/** A datetime literal: `YYYY-MM-DD HH:MM:SS[.f…]` (up to six fraction digits), valid. */
export function parseDatetimeLiteral(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null || parseDateLiteral(match[1] as string) === undefined) return undefined;
  if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4]) > 59) return undefined;
  return `${match[1]} ${match[2]}:${match[3]}:${match[4]}.${(match[5] ?? '').padEnd(6, '0')}`;
}

/** A time literal: `[-]H…:MM:SS[.f…]`, hours up to 838. */
export function parseTimeLiteral(text: string): number | undefined {
  const match = /^(-?)(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  const seconds = Number(match[4]);
  if (hours > 838 || minutes > 59 || seconds > 59) return undefined;
  const micros =
    ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 +
    Number((match[5] ?? '').padEnd(6, '0') || '0');
  if (micros > 838 * 3_600_000_000 + 59 * 60_000_000 + 59_000_000) return undefined;
  return match[1] === '-' ? -micros : micros;
}

/** A canonical DATETIME/TIMESTAMP value (`… HH:MM:SS[.fff]`) in the comparable form. */
export function datetimeKeyOf(canonical: string): string {
  const point = canonical.indexOf('.');
  if (point === -1) return `${canonical}.000000`;
  return `${canonical.slice(0, point + 1)}${canonical.slice(point + 1).padEnd(6, '0')}`;
}

/** A DATE in the comparable DATETIME form: midnight. */
export function dateToDatetimeKey(date: string): string {
  return `${date} 00:00:00.000000`;
}

/** A canonical TIME value (`[-]HH:MM:SS[.fff]`, hours may exceed 99) in microseconds. */
export function timeMicrosOf(canonical: string): number {
  const negative = canonical.startsWith('-');
  const [clock = '', fraction = ''] = (negative ? canonical.slice(1) : canonical).split('.');
  const [hours = 0, minutes = 0, seconds = 0] = clock.split(':').map(Number);
  const micros =
    ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + Number(fraction.padEnd(6, '0') || '0');
  return negative ? -micros : micros;
}
