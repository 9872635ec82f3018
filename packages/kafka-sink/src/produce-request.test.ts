import {
  createRecordsBatch,
  produceV8,
  produceV9,
  produceV11,
  readRecordsBatch,
  Reader,
  type MessageRecord,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import {
  createProduceRequest,
  encodeRecordBatch,
  sinkProduceApi,
  type ProduceOptions,
} from './produce-request';

/**
 * The library's own encoder is the reference: for the same records and options, the batch and
 * the request must be the same bytes (CRC included), so a broker and every reader see exactly
 * what they saw before the sink wrote its own.
 */

const T0 = 1_765_000_000_000n;

function sequences(start: Record<string, number>) {
  return { getWithDefault: (key: string, fallback: number) => start[key] ?? fallback };
}

function options(extra: Partial<ProduceOptions> = {}): ProduceOptions {
  return {
    compression: 'none',
    producerId: 4242n,
    producerEpoch: 3,
    sequences: sequences({ 'orders:0': 17, 'orders:1': 5 }),
    ...extra,
  };
}

/** Records as the library normalizes them before encoding (timestamp, partition set). */
function records(count: number, topic = 'orders', partition = 0): MessageRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition,
    key: i % 3 === 0 ? undefined : Buffer.from(`db.table:${i}`),
    value: Buffer.from('x'.repeat((i * 37) % 300)),
    timestamp: T0,
  }));
}

function copy(list: MessageRecord[]): MessageRecord[] {
  return list.map((record) => ({ ...record }));
}

/** Equal bytes, or the first offset where they differ (a readable failure for large buffers). */
function expectSameBytes(ours: Buffer, theirs: Buffer): void {
  let at = 0;
  while (at < ours.length && at < theirs.length && ours[at] === theirs[at]) at += 1;
  expect({ length: ours.length, firstDifference: at }).toEqual({
    length: theirs.length,
    firstDifference: theirs.length,
  });
}

function libraryBatch(list: MessageRecord[], opts: ProduceOptions): Buffer {
  return createRecordsBatch(copy(list), opts as never).buffer;
}

describe('encodeRecordBatch', () => {
  it('writes the same bytes as the library for records with and without keys', () => {
    const list = records(200);
    expectSameBytes(encodeRecordBatch(list, options()) as Buffer, libraryBatch(list, options()));
  });

  it('writes multi-byte varints the same way: long values, offsets past 63, empty values', () => {
    const list = records(300).map((record, i) => ({
      ...record,
      value: i === 5 ? Buffer.alloc(0) : Buffer.alloc(i * 7, 0x61),
    }));
    expectSameBytes(encodeRecordBatch(list, options()) as Buffer, libraryBatch(list, options()));
  });

  it('writes timestamp deltas, headers and a null value the same way', () => {
    const list: MessageRecord[] = records(5).map((record, i) => ({
      ...record,
      timestamp: T0 + BigInt(i * 1_000_003),
      headers: new Map([[Buffer.from(`h${i}`), Buffer.from(`v${i}`)]]),
    }));
    list[2] = { ...list[2]!, timestamp: T0 - 5n };
    const withNull = [...list, { ...list[0]!, value: null as unknown as Buffer }];
    expectSameBytes(
      encodeRecordBatch(withNull, options()) as Buffer,
      libraryBatch(withNull, options()),
    );
  });

  it('marks a transactional batch and uses the sequence of its partition', () => {
    const list = records(3, 'orders', 1);
    const opts = options({ transactionalId: 'tx' });
    expectSameBytes(encodeRecordBatch(list, opts) as Buffer, libraryBatch(list, opts));
  });

  it.each(['gzip', 'snappy', 'lz4'] as const)(
    'compresses the records as one block with %s, readable by the library',
    async (compression) => {
      const list = records(120);
      const batch = await encodeRecordBatch(list, options({ compression }));
      const read = readRecordsBatch(Reader.from(batch));
      expect(read.firstSequence).toBe(17);
      expect(read.records.map((record) => record.value)).toEqual(list.map((r) => r.value));
      expect(read.records.map((record) => record.key)).toEqual(list.map((r) => r.key ?? null));
      if (compression !== 'gzip') {
        expectSameBytes(batch, libraryBatch(list, options({ compression })));
      }
    },
  );
});

describe('createProduceRequest', () => {
  it('writes the same request as the library for several topics and partitions', async () => {
    const list = [
      ...records(4, 'orders', 1),
      ...records(3, 'orders', 0),
      ...records(2, 'ddl', 0),
      ...records(2, 'orders', 1),
    ];
    const ours = await createProduceRequest(-1, 30_000, list, options());
    const theirs = produceV11.createRequest(-1, 30_000, copy(list), options() as never);
    expectSameBytes(ours.buffer, theirs.buffer);
  });

  it('keeps the order of each partition in its batch', async () => {
    const list = [
      ...records(3, 'orders', 0),
      ...records(3, 'orders', 1),
      ...records(3, 'orders', 0),
    ];
    const ours = await createProduceRequest(-1, 1_000, list, options());
    const theirs = produceV11.createRequest(-1, 1_000, copy(list), options() as never);
    expectSameBytes(ours.buffer, theirs.buffer);
  });
});

describe('sinkProduceApi', () => {
  it('writes v9 to v11 requests itself, keeping the version and the library response parser', () => {
    for (const negotiated of [produceV9.api, produceV11.api]) {
      const api = sinkProduceApi(negotiated);
      expect(api).not.toBe(negotiated);
      expect({ key: api.key, version: api.version }).toEqual({
        key: negotiated.key,
        version: negotiated.version,
      });
    }
  });

  it('leaves an older version to the library', () => {
    expect(sinkProduceApi(produceV8.api)).toBe(produceV8.api);
  });
});
