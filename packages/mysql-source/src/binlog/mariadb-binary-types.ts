/**
 * MariaDB's fixed-size binary data types (`UUID` 10.7+, `INET6` 10.5+, `INET4` 10.10+) from the
 * bytes of a rows event to the text `SELECT` prints, which is their canonical value.
 *
 * The binlog carries them as `MYSQL_TYPE_STRING` of the binary charset (16 or 4 bytes), packed
 * like `BINARY(n)`: the value's trailing 0x00 bytes are stripped, so they are padded back here.
 * The bytes are the in-memory form, not the record form: MariaDB swaps the segments of a UUIDv1
 * in the record to make it index-friendly, and converts back before logging ("We transfer UUID
 * values in binlog by compressing in-memory representation", `UUID::pack` in
 * plugin/type_uuid/sql_type_uuid.h), so no swap is undone here. Text forms from the same
 * plugins: `my_uuid2str` (lower-case hex, hyphens after bytes 4, 6, 8, 10), `Inet4::to_string`
 * (dotted decimal), `Inet6::to_string` (plugin/type_inet/sql_type_inet.cc; see `inet6Text`).
 */
import type { TextDecodeFn } from './charset';

const UUID_BYTES = 16;
const INET6_BYTES = 16;
const INET4_BYTES = 4;

/** The bytes of a value whose trailing zero bytes the binlog stripped, padded to `size`. */
function padded(bytes: Buffer, start: number, end: number, size: number): Buffer {
  const value = Buffer.alloc(size);
  bytes.copy(value, 0, start, Math.min(end, start + size));
  return value;
}

export function uuidText(value: Buffer): string {
  const hex = value.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function inet4Text(value: Buffer, offset = 0): string {
  return `${value[offset]}.${value[offset + 1]}.${value[offset + 2]}.${value[offset + 3]}`;
}

/**
 * MariaDB's IPv6 text, which is not quite RFC 5952: the first longest run of zero groups is
 * written as `::` even when it is one group long, groups are lower-case hex without leading
 * zeros, and an IPv4-compatible (`::a.b.c.d`, six zero groups) or IPv4-mapped
 * (`::ffff:a.b.c.d`) address ends in dotted decimal.
 */
export function inet6Text(value: Buffer): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i += 1) words.push(value.readUInt16BE(i * 2));
  let gapStart = -1;
  let gapLength = 0;
  let runStart = -1;
  for (let i = 0; i <= 8; i += 1) {
    if (i < 8 && words[i] === 0) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart > gapLength) {
      gapStart = runStart;
      gapLength = i - runStart;
    }
    runStart = -1;
  }
  let text = '';
  for (let i = 0; i < 8; i += 1) {
    if (i === gapStart) {
      text += i === 0 ? '::' : ':';
      i += gapLength - 1;
    } else if (
      i === 6 &&
      gapStart === 0 &&
      (gapLength === 6 || (gapLength === 5 && words[5] === 0xffff))
    ) {
      return text + inet4Text(value, 12);
    } else {
      text += words[i]!.toString(16);
      if (i < 7) text += ':';
    }
  }
  return text;
}

const DECODERS: Record<string, TextDecodeFn> = {
  uuid: (bytes, start, end) => uuidText(padded(bytes, start, end, UUID_BYTES)),
  inet6: (bytes, start, end) => inet6Text(padded(bytes, start, end, INET6_BYTES)),
  inet4: (bytes, start, end) => inet4Text(padded(bytes, start, end, INET4_BYTES)),
};

/** The decoder of a MariaDB binary-backed type by its data type name; null for other types. */
export function mariadbBinaryTextDecoder(dataType: string): TextDecodeFn | null {
  return DECODERS[dataType] ?? null;
}
