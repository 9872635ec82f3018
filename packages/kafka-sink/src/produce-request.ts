/**
 * The Produce request body, written by the sink itself: each partition's record batch is one
 * Buffer, sized first and then filled, and the request appends those Buffers by reference.
 *
 * Why: @platformatic/kafka builds every record from several small Buffers (one per varint and
 * field), concatenates a batch once to checksum it and the request again to write it. On the
 * end-to-end bench that was about a third of the worker's allocations and most of its short-
 * lived external memory (README, "The producer client"). Everything else stays the library's:
 * metadata and leaders, the idempotent producer id and sequence numbers (passed in `options`),
 * retries, the connection, and the response parser of the negotiated version.
 *
 * Layouts (Kafka's protocol guide, "Record Batch" and the Produce request v9–v11 schema):
 * - a record: length, attributes (int8), timestampDelta, offsetDelta, key, value, headers; the
 *   integers and byte lengths as zigzag varints, a null key or value as length -1;
 * - a batch: baseOffset (int64), batchLength (int32), partitionLeaderEpoch (int32), magic
 *   (int8, 2), crc (uint32, CRC-32C of everything from attributes on), attributes (int16),
 *   lastOffsetDelta (int32), baseTimestamp, maxTimestamp, producerId (int64), producerEpoch
 *   (int16), baseSequence, record count (int32), then the records (compressed as one block
 *   when the batch is compressed);
 * - Produce v9+ (flexible): transactional_id (compact nullable string), acks (int16), timeout
 *   (int32), topics as a compact array of name (compact string) and partitions, each partition
 *   an index (int32) and its batch as compact bytes, every structure ending in empty tagged
 *   fields.
 */
import type { API, CompressionAlgorithmValue } from '@platformatic/kafka';
import { BATCH_OVERHEAD_BYTES } from './send-queue';
import {
  compressionsAlgorithms,
  crc32c,
  createAPI,
  CURRENT_RECORD_VERSION,
  IS_TRANSACTIONAL,
  produceV9,
  produceV10,
  produceV11,
  ProduceAcks,
  Writer,
} from '@platformatic/kafka';

/** A message as the library's producer hands it to the Produce API (serialized, partitioned). */
export interface ProduceRecord {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Map<Buffer | string, Buffer | string> | null;
  timestamp?: bigint | number;
}

/** The options the library passes to the Produce API (see its CreateRecordsBatchOptions). */
export interface ProduceOptions {
  transactionalId?: string | null;
  compression?: CompressionAlgorithmValue;
  producerId?: bigint;
  producerEpoch?: number;
  sequences?: { getWithDefault(key: string, fallback: number): number } | null;
  partitionLeaderEpoch?: number;
}

const LENGTH_AT = 8;
const LEADER_EPOCH_AT = 12;
const MAGIC_AT = 16;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const BASE_TIMESTAMP_AT = 27;
const MAX_TIMESTAMP_AT = 35;
const PRODUCER_ID_AT = 43;
const PRODUCER_EPOCH_AT = 51;
const BASE_SEQUENCE_AT = 53;
const RECORD_COUNT_AT = 57;
/** Bytes from the start of a batch not counted in its batchLength (baseOffset, batchLength). */
const LOG_OVERHEAD = 12;

function zigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function varintBytes(unsigned: number): number {
  let bytes = 1;
  let rest = unsigned;
  while (rest >= 0x80) {
    rest >>>= 7;
    bytes += 1;
  }
  return bytes;
}

function writeVarint(buffer: Buffer, at: number, unsigned: number): number {
  let position = at;
  let rest = unsigned;
  while (rest >= 0x80) {
    buffer[position++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buffer[position++] = rest;
  return position;
}

/** A timestamp delta other than 0, as zigzag varint bytes (64-bit). */
function longVarint(delta: bigint): number[] {
  let rest = BigInt.asUintN(64, (delta << 1n) ^ (delta >> 63n));
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

type Bytes = Buffer | string | null | undefined;

function asBuffer(value: Bytes): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function fieldBytes(value: Buffer | null): number {
  return value === null ? 1 : varintBytes(zigzag(value.length)) + value.length;
}

function writeField(buffer: Buffer, at: number, value: Buffer | null): number {
  if (value === null) {
    buffer[at] = 1; // zigzag(-1)
    return at + 1;
  }
  const position = writeVarint(buffer, at, zigzag(value.length));
  if (value.length > 0) value.copy(buffer, position);
  return position + value.length;
}

function headerEntries(record: ProduceRecord): Array<[Buffer | null, Buffer | null]> | null {
  const headers = record.headers;
  if (headers === null || headers === undefined || headers.size === 0) return null;
  return [...headers].map(([key, value]) => [asBuffer(key), asBuffer(value)]);
}

function toBigInt(timestamp: bigint | number | undefined, fallback: bigint): bigint {
  if (timestamp === undefined) return fallback;
  return typeof timestamp === 'bigint' ? timestamp : BigInt(timestamp);
}

/**
 * The records of one batch, after `BATCH_OVERHEAD_BYTES` of room for its header. All records
 * produced by the sink carry the same timestamp, so the delta is one zero byte and no BigInt
 * arithmetic runs per record.
 */
function writeRecords(
  records: readonly ProduceRecord[],
  baseTimestamp: bigint,
): { buffer: Buffer; maxTimestamp: bigint } {
  const count = records.length;
  const bodies = new Int32Array(count);
  let deltas: Array<number[] | null> | null = null;
  let headers: Array<Array<[Buffer | null, Buffer | null]> | null> | null = null;
  let maxTimestamp = baseTimestamp;
  let total = BATCH_OVERHEAD_BYTES;
  for (let i = 0; i < count; i += 1) {
    const record = records[i]!;
    let body = 1 + varintBytes(zigzag(i));
    const timestamp = record.timestamp;
    if (timestamp === undefined || timestamp === baseTimestamp) {
      body += 1;
    } else {
      const value = toBigInt(timestamp, baseTimestamp);
      if (value > maxTimestamp) maxTimestamp = value;
      const delta = value === baseTimestamp ? null : longVarint(value - baseTimestamp);
      deltas ??= new Array<number[] | null>(count).fill(null);
      deltas[i] = delta;
      body += delta === null ? 1 : delta.length;
    }
    body += fieldBytes(record.key ?? null) + fieldBytes(record.value ?? null);
    const entries = headerEntries(record);
    if (entries === null) {
      body += 1;
    } else {
      headers ??= new Array<Array<[Buffer | null, Buffer | null]> | null>(count).fill(null);
      headers[i] = entries;
      body += varintBytes(zigzag(entries.length));
      for (const [key, value] of entries) body += fieldBytes(key) + fieldBytes(value);
    }
    bodies[i] = body;
    total += varintBytes(zigzag(body)) + body;
  }
  const buffer = Buffer.allocUnsafe(total);
  let position = BATCH_OVERHEAD_BYTES;
  for (let i = 0; i < count; i += 1) {
    const record = records[i]!;
    position = writeVarint(buffer, position, zigzag(bodies[i]!));
    buffer[position++] = 0; // attributes: unused in v2 records
    const delta = deltas?.[i] ?? null;
    if (delta === null) {
      buffer[position++] = 0;
    } else {
      for (const byte of delta) buffer[position++] = byte;
    }
    position = writeVarint(buffer, position, zigzag(i));
    position = writeField(buffer, position, record.key ?? null);
    position = writeField(buffer, position, record.value ?? null);
    const entries = headers?.[i] ?? null;
    if (entries === null) {
      buffer[position++] = 0;
    } else {
      position = writeVarint(buffer, position, zigzag(entries.length));
      for (const [key, value] of entries) {
        position = writeField(buffer, position, key);
        position = writeField(buffer, position, value);
      }
    }
  }
  return { buffer, maxTimestamp };
}

interface PreparedBatch {
  buffer: Buffer;
  attributes: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
}

function prepareBatch(records: readonly ProduceRecord[], options: ProduceOptions): PreparedBatch {
  const baseTimestamp = toBigInt(records[0]!.timestamp, BigInt(Date.now()));
  const { buffer, maxTimestamp } = writeRecords(records, baseTimestamp);
  const attributes = options.transactionalId ? IS_TRANSACTIONAL : 0;
  return { buffer, attributes, baseTimestamp, maxTimestamp };
}

function compressionOf(options: ProduceOptions) {
  const name = options.compression ?? 'none';
  return name === 'none' ? null : compressionsAlgorithms[name];
}

/** Fills in the header of a prepared batch, `body` replacing its records when compressed. */
function finishBatch(
  records: readonly ProduceRecord[],
  options: ProduceOptions,
  prepared: PreparedBatch,
  compressed: { body: Buffer; bitmask: number } | null,
): Buffer {
  let buffer = prepared.buffer;
  let attributes = prepared.attributes;
  if (compressed !== null) {
    attributes |= compressed.bitmask;
    buffer = Buffer.allocUnsafe(BATCH_OVERHEAD_BYTES + compressed.body.length);
    compressed.body.copy(buffer, BATCH_OVERHEAD_BYTES);
  }
  const first = records[0]!;
  const baseSequence =
    options.sequences?.getWithDefault(`${first.topic}:${first.partition ?? 0}`, 0) ?? 0;
  buffer.writeBigInt64BE(0n, 0);
  buffer.writeInt32BE(buffer.length - LOG_OVERHEAD, LENGTH_AT);
  buffer.writeInt32BE(options.partitionLeaderEpoch ?? 0, LEADER_EPOCH_AT);
  buffer.writeInt8(CURRENT_RECORD_VERSION, MAGIC_AT);
  buffer.writeInt16BE(attributes, ATTRIBUTES_AT);
  buffer.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA_AT);
  buffer.writeBigInt64BE(prepared.baseTimestamp, BASE_TIMESTAMP_AT);
  buffer.writeBigInt64BE(prepared.maxTimestamp, MAX_TIMESTAMP_AT);
  buffer.writeBigInt64BE(options.producerId ?? -1n, PRODUCER_ID_AT);
  buffer.writeInt16BE(options.producerEpoch ?? 0, PRODUCER_EPOCH_AT);
  buffer.writeInt32BE(baseSequence, BASE_SEQUENCE_AT);
  buffer.writeInt32BE(records.length, RECORD_COUNT_AT);
  // A Writer over the one Buffer lets the library's CRC-32C read it in place (no copy).
  const checked = Writer.create().append(buffer.subarray(ATTRIBUTES_AT));
  buffer.writeUInt32BE(crc32c(checked.dynamicBuffer), CRC_AT);
  return buffer;
}

/** One partition's record batch (the records in order), as one Buffer. */
export function encodeRecordBatch(
  records: readonly ProduceRecord[],
  options: ProduceOptions,
): Buffer | Promise<Buffer> {
  const prepared = prepareBatch(records, options);
  const algorithm = compressionOf(options);
  if (algorithm === null) return finishBatch(records, options, prepared, null);
  const plain = prepared.buffer.subarray(BATCH_OVERHEAD_BYTES);
  const finish = (body: Buffer) =>
    finishBatch(records, options, prepared, { body, bitmask: algorithm.bitmask });
  return 'compress' in algorithm
    ? algorithm.compress(plain).then(finish)
    : finish(algorithm.compressSync(plain));
}

/**
 * Messages grouped by topic (first seen first), then partition (ascending, as the library
 * writes them), each group in the order given.
 */
function groupRecords(
  records: readonly ProduceRecord[],
): Map<string, Map<number, ProduceRecord[]>> {
  const topics = new Map<string, Map<number, ProduceRecord[]>>();
  for (const record of records) {
    let partitions = topics.get(record.topic);
    if (partitions === undefined) {
      partitions = new Map();
      topics.set(record.topic, partitions);
    }
    const partition = record.partition ?? 0;
    let group = partitions.get(partition);
    if (group === undefined) {
      group = [];
      partitions.set(partition, group);
    }
    group.push(record);
  }
  for (const [topic, partitions] of topics) {
    topics.set(topic, new Map([...partitions].sort(([a], [b]) => a - b)));
  }
  return topics;
}

/** The Produce request (v9–v11, one layout) for the messages, their batches by reference. */
export function createProduceRequest(
  acks: number | undefined,
  timeout: number | undefined,
  records: readonly ProduceRecord[],
  options: ProduceOptions = {},
): Writer | Promise<Writer> {
  const topics = groupRecords(records);
  const batches: Array<Buffer | Promise<Buffer>> = [];
  let isAsync = false;
  for (const partitions of topics.values()) {
    for (const group of partitions.values()) {
      const batch = encodeRecordBatch(group, options);
      if (batch instanceof Promise) isAsync = true;
      batches.push(batch);
    }
  }
  const write = (encoded: Buffer[]): Writer => {
    const writer = Writer.create()
      .appendString(options.transactionalId ?? null, true)
      .appendInt16(acks ?? ProduceAcks.LEADER)
      .appendInt32(timeout ?? 0)
      .appendUnsignedVarInt(topics.size + 1);
    let next = 0;
    for (const [topic, partitions] of topics) {
      writer.appendString(topic, true).appendUnsignedVarInt(partitions.size + 1);
      for (const partition of partitions.keys()) {
        const batch = encoded[next++]!;
        writer
          .appendInt32(partition)
          .appendUnsignedVarInt(batch.length + 1)
          .append(batch)
          .appendTaggedFields();
      }
      writer.appendTaggedFields();
    }
    writer.appendTaggedFields();
    if (acks === ProduceAcks.NO_RESPONSE) writer.context.noResponse = true;
    return writer;
  };
  return isAsync ? Promise.all(batches).then(write) : write(batches as Buffer[]);
}

type ProduceApi = API<unknown[], unknown>;

const parsers = new Map<number, typeof produceV11.parseResponse>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);
const apis = new Map<number, ProduceApi>();

/**
 * The Produce API of the version the broker negotiated, with this module's request writer when
 * the version is one it writes (9–11: every broker the sink supports); the library's otherwise.
 */
export function sinkProduceApi<T extends Pick<ProduceApi, 'key' | 'version'>>(negotiated: T): T {
  const parse = parsers.get(negotiated.version);
  if (parse === undefined) return negotiated;
  let api = apis.get(negotiated.version);
  if (api === undefined) {
    api = createAPI<unknown[], unknown>(0, negotiated.version, createProduceRequest, parse);
    apis.set(negotiated.version, api);
  }
  return api as unknown as T;
}
