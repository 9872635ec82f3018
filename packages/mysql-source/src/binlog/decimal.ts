/**
 * DECIMAL values in MySQL's binary format (strings/decimal.cc, `decimal2bin`/`bin2decimal`).
 *
 * Digits are stored in groups of nine per 4-byte big-endian word; a leading or trailing partial
 * group uses 1–4 bytes (`dig2bytes`). The sign lives in the top bit of the first byte (set for
 * positive values, which are stored as is; negative values are stored with every byte inverted).
 * The result is an exact decimal string with exactly `scale` fraction digits; nothing passes
 * through a floating-point number.
 */

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;
const DIGITS_PER_WORD = 9;

/** The bytes a DECIMAL(precision, scale) takes in a row image. */
export function decimalBinaryLength(precision: number, scale: number): number {
  const intg = precision - scale;
  return (
    Math.floor(intg / DIGITS_PER_WORD) * 4 +
    DIG2BYTES[intg % DIGITS_PER_WORD]! +
    Math.floor(scale / DIGITS_PER_WORD) * 4 +
    DIG2BYTES[scale % DIGITS_PER_WORD]!
  );
}

/** Reads `length` big-endian bytes at `pos`, undoing the sign mask and the first byte's flag. */
function readGroup(
  bytes: Buffer,
  pos: number,
  length: number,
  mask: number,
  first: number,
): number {
  let value = 0;
  for (let i = 0; i < length; i += 1) {
    let byte = bytes[pos + i]! ^ mask;
    if (pos + i === first) byte ^= 0x80;
    value = value * 256 + byte;
  }
  return value;
}

function pad9(value: number): string {
  const text = String(value);
  return text.length >= 9 ? text : '000000000'.slice(text.length) + text;
}

/** Decodes the DECIMAL(precision, scale) at `pos` to its exact string. */
export function decodeDecimal(
  bytes: Buffer,
  pos: number,
  precision: number,
  scale: number,
): string {
  const intg = precision - scale;
  const intgWords = Math.floor(intg / DIGITS_PER_WORD);
  const intgRest = intg % DIGITS_PER_WORD;
  const fracWords = Math.floor(scale / DIGITS_PER_WORD);
  const fracRest = scale % DIGITS_PER_WORD;
  const isNegative = (bytes[pos]! & 0x80) === 0;
  const mask = isNegative ? 0xff : 0;
  let p = pos;
  let integer = '';
  if (intgRest > 0) {
    const size = DIG2BYTES[intgRest]!;
    const value = readGroup(bytes, p, size, mask, pos);
    if (value !== 0) integer = String(value);
    p += size;
  }
  for (let i = 0; i < intgWords; i += 1) {
    const value = readGroup(bytes, p, 4, mask, pos);
    if (integer.length > 0) integer += pad9(value);
    else if (value !== 0) integer = String(value);
    p += 4;
  }
  if (integer.length === 0) integer = '0';
  if (scale === 0) return isNegative ? `-${integer}` : integer;
  let fraction = '';
  for (let i = 0; i < fracWords; i += 1) {
    fraction += pad9(readGroup(bytes, p, 4, mask, pos));
    p += 4;
  }
  if (fracRest > 0) {
    const size = DIG2BYTES[fracRest]!;
    fraction += String(readGroup(bytes, p, size, mask, pos)).padStart(fracRest, '0');
  }
  return `${isNegative ? '-' : ''}${integer}.${fraction}`;
}
