/**
 * CRC-32 (IEEE 802.3, the polynomial zlib and the binlog checksum use: MySQL's
 * `binlog_checksum=CRC32`, log_event.cc `Log_event_footer::event_checksum_test`) over a byte range.
 *
 * zlib's `crc32` costs a native call, argument checks and a `subarray` per event, which is more
 * than the checksum itself for the small events of a short transaction (GTID 65 bytes, BEGIN
 * ~70, XID 31, one-row rows events ~250). Below `NATIVE_FROM_BYTES` a table-driven loop
 * (slicing by 8) in JavaScript is 2–4× faster on those sizes; above it zlib's vectorised
 * code wins.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/** Ranges at least this long go to zlib (measured crossover: ~250 bytes on x86-64, Node 24). */
export const NATIVE_FROM_BYTES = 256;

const TABLES = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n += 1) {
    let c = tables[n]!;
    for (let t = 1; t < 8; t += 1) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
}

/** The CRC-32 of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_FROM_BYTES) return zlibCrc32(bytes.subarray(start, end));
  const t = TABLES;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const word =
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ c;
    c =
      t[1792 + (word & 0xff)]! ^
      t[1536 + ((word >>> 8) & 0xff)]! ^
      t[1280 + ((word >>> 16) & 0xff)]! ^
      t[1024 + (word >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i += 1) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
