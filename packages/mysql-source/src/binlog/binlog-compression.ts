/**
 * Decompression of compressed binlog events: MySQL 8's transaction payloads (zstd,
 * `binlog_transaction_compression`) and MariaDB's compressed query and rows events (zlib,
 * `log_bin_compress`). Both use `node:zlib` only (zstd is there since Node.js 22.15 and 23.8;
 * Tidewater runs on Node.js 24): no native module is added.
 */
import * as zlib from 'node:zlib';
import { TidewaterError } from '@tidewater/errors';

function malformed(reason: string, details: Record<string, unknown>): TidewaterError {
  return new TidewaterError(
    'BINLOG_EVENT_MALFORMED',
    `A binlog event could not be decoded: ${reason}.`,
    {
      category: 'internal',
      remedy:
        'The event is corrupt or not in a documented format; verify the source binlog with mysqlbinlog and report the position if it repeats.',
      details,
    },
  );
}

/**
 * A zstd frame of a transaction payload, which holds `expectedSize` bytes of events
 * (OTW_PAYLOAD_UNCOMPRESSED_SIZE_FIELD). Output beyond that size is refused rather than
 * allocated, so a corrupt frame cannot take more memory than the event declares.
 */
export function decompressZstd(
  data: Buffer,
  expectedSize: number,
  details: Record<string, unknown>,
): Buffer {
  let out: Buffer;
  try {
    out = zlib.zstdDecompressSync(data, { maxOutputLength: Math.max(expectedSize, 1) });
  } catch (error) {
    throw malformed(
      `a zstd transaction payload does not decompress to its declared ${expectedSize} bytes (${error instanceof Error ? error.message : String(error)})`,
      details,
    );
  }
  if (out.length !== expectedSize) {
    throw malformed(
      `a zstd transaction payload decompressed to ${out.length} bytes, not the declared ${expectedSize}`,
      details,
    );
  }
  return out;
}

/**
 * MariaDB's compressed block `bytes[start, end)` (log_event.cc `binlog_buf_uncompress`): a header
 * byte with the high bit set, the algorithm in bits 4-6 (0 = zlib, the only one) and the number
 * of length bytes (1-4) in bits 0-2; the uncompressed length big-endian; zlib `compress()` data.
 */
export function inflateMariadbBlock(
  bytes: Buffer,
  start: number,
  end: number,
  details: Record<string, unknown>,
): Buffer {
  const head = bytes[start];
  if (head === undefined || (head & 0x80) === 0) {
    throw malformed('a MariaDB compressed event has no compressed-block header', details);
  }
  const algorithm = (head & 0x70) >> 4;
  if (algorithm !== 0) {
    throw new TidewaterError(
      'BINLOG_EVENT_UNSUPPORTED',
      `The source sent a MariaDB compressed event with compression algorithm ${algorithm}, which Tidewater cannot decode (only zlib, algorithm 0, exists).`,
      {
        category: 'unsupported',
        remedy:
          'Set log_bin_compress=OFF on the source and restart the task with a new full data migration.',
        details,
      },
    );
  }
  const lengthBytes = head & 0x07;
  if (lengthBytes < 1 || lengthBytes > 4 || start + 1 + lengthBytes > end) {
    throw malformed(`a MariaDB compressed block declares ${lengthBytes} length bytes`, details);
  }
  const length = bytes.readUIntBE(start + 1, lengthBytes);
  let out: Buffer;
  try {
    out = zlib.inflateSync(bytes.subarray(start + 1 + lengthBytes, end), {
      maxOutputLength: Math.max(length, 1),
    });
  } catch (error) {
    throw malformed(
      `a MariaDB compressed block does not inflate to its declared ${length} bytes (${error instanceof Error ? error.message : String(error)})`,
      details,
    );
  }
  if (out.length !== length) {
    throw malformed(
      `a MariaDB compressed block inflated to ${out.length} bytes, not the declared ${length}`,
      details,
    );
  }
  return out;
}
