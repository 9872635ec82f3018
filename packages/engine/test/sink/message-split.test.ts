/**
 * Events whose rows together are larger than the topic's `max.message.bytes`: a snapshot
 * chunk and a multi-row binlog UPDATE become several messages of consecutive rows, each under
 * the limit, on a real topic created with a 64 KiB limit. Only a single row over the limit
 * stops the task.
 */
import type {
  ChangeEvent,
  SnapshotRowsEvent,
  TableSchema,
  UpdateEvent,
} from '@tidewater/change-events';
import type { DataFormat, PartitionPolicy } from '@tidewater/config';
import { isTidewaterError } from '@tidewater/errors';
import { decodeDtsAvro } from '@tidewater/formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventDeliveryReport } from '../../src/pipeline/sink';
import { openEventSink } from '../../src/pipeline/sink';
import { partitionOf } from '../../src/pipeline/partition-policy';
import { testColumn } from '@tidewater/change-events/testing';
import type { ReadMessage } from '@tidewater/test-kit/stack';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';

afterAll(dropTopics);

const LIMIT = 64 * 1024;
const PARTITIONS = 4;
const ROWS = 3000;
const source = { version: '8.0.36', timeZone: 'UTC' };

function notesTable(primaryKey: string[]): TableSchema {
  return {
    database: 'shop',
    table: primaryKey.length > 0 ? 'notes' : 'notes_log',
    columns: [
      testColumn('id', 'integer', 'int', 'int(11)', { precision: 4, nullable: false }),
      testColumn('body', 'char', 'varchar', 'varchar(200)', { charset: 'utf8mb4' }),
    ],
    primaryKey,
    uniqueKeys: {},
  };
}

const notes = notesTable(['id']);
const notesLog = notesTable([]);

/** 200 characters that differ per row and version, so a lost or repeated row shows. */
function body(id: number, version = 0): string {
  return `${id}/${version}:`.padEnd(200, String.fromCharCode(97 + ((id + version) % 26)));
}

function snapshot(schema: TableSchema, count = ROWS): SnapshotRowsEvent {
  return {
    kind: 'snapshot',
    schema,
    rows: Array.from({ length: count }, (_, id) => [String(id), body(id)]),
    timestamp: 1714530030000,
    position: null,
    gtid: null,
    serverId: null,
  };
}

async function deliverTo(
  label: string,
  options: { policy: PartitionPolicy; format?: DataFormat; partitions?: number },
  events: ChangeEvent[],
): Promise<{ topic: string; report: EventDeliveryReport }> {
  const topic = await makeTopic(label, options.partitions ?? 1, {
    'max.message.bytes': String(LIMIT),
  });
  const sink = await openEventSink({
    destination: plainDestination(topic),
    format: options.format ?? 'canal-json',
    partitionPolicy: options.policy,
    source,
  });
  try {
    return { topic, report: await sink.deliver(events) };
  } finally {
    await sink.close();
  }
}

interface CanalMessage {
  id: number;
  type: string;
  table: string;
  es: number;
  ts: number;
  data: Array<Record<string, string>>;
  old: Array<Record<string, string>> | null;
}

function canal(message: ReadMessage): CanalMessage {
  return JSON.parse(message.value.toString('utf8')) as CanalMessage;
}

/** What a Canal consumer sees of the messages: every row once, in order, ids consecutive. */
function expectConsecutiveParts(read: ReadMessage[], type: string, rows: number): CanalMessage[] {
  const bodies = read.map(canal);
  expect(bodies.length).toBeGreaterThan(1);
  for (const message of read) expect(message.value.length).toBeLessThan(LIMIT);
  expect(bodies.map((b) => b.id)).toEqual(bodies.map((_, i) => bodies[0]!.id + i));
  expect(new Set(bodies.map((b) => `${b.type} ${b.table} ${b.es} ${b.ts}`))).toEqual(
    new Set([`${type} ${bodies[0]!.table} ${bodies[0]!.es} ${bodies[0]!.ts}`]),
  );
  const ids = bodies.flatMap((b) => b.data.map((row) => Number(row.id)));
  expect(ids).toEqual(Array.from({ length: rows }, (_, i) => i));
  return bodies;
}

describe('events larger than the topic limit', () => {
  it('splits a snapshot chunk into consecutive messages under partition-zero', async () => {
    const { topic, report } = await deliverTo('split-zero', { policy: 'partition-zero' }, [
      snapshot(notes),
    ]);
    const read = await readTopic(topic, report.messages);
    expect(read).toHaveLength(report.messages);
    expect(read.every((m) => m.partition === 0 && m.key === 'shop.notes')).toBe(true);
    const bodies = expectConsecutiveParts(read, 'INSERT', ROWS);
    expect(bodies.flatMap((b) => b.data.map((row) => row.body))).toEqual(
      Array.from({ length: ROWS }, (_, id) => body(id)),
    );
  });

  it("splits a snapshot chunk under the table hash, every part on the table's partition", async () => {
    const { topic, report } = await deliverTo(
      'split-table-hash',
      { policy: 'hash-database-table', partitions: PARTITIONS },
      [snapshot(notes)],
    );
    expect(report.partitions[topic]).toEqual([partitionOf('shop.notes', PARTITIONS)]);
    const read = await readTopic(topic, report.messages);
    expect(read.every((m) => m.key === 'shop.notes')).toBe(true);
    expectConsecutiveParts(read, 'INSERT', ROWS);
  });

  it('splits the whole event of a keyless table under the primary-key policy', async () => {
    const { topic, report } = await deliverTo(
      'split-keyless',
      { policy: 'hash-primary-key', partitions: PARTITIONS },
      [snapshot(notesLog)],
    );
    const read = await readTopic(topic, report.messages);
    expect(read.every((m) => m.partition === 0 && m.key === 'shop.notes_log')).toBe(true);
    expectConsecutiveParts(read, 'INSERT', ROWS);
  });

  it('splits a multi-row UPDATE with each row keeping its old values', async () => {
    const rows = 1000;
    const update: UpdateEvent = {
      kind: 'update',
      schema: notes,
      rows: Array.from({ length: rows }, (_, id) => ({
        before: [String(id), body(id, 0)],
        after: [String(id), body(id, 1)],
      })),
      timestamp: 1714530031000,
      position: { file: 'binlog.000003', pos: 4711, gtidSet: null },
      gtid: null,
      serverId: 1,
    };
    const { topic, report } = await deliverTo('split-update', { policy: 'partition-zero' }, [
      update,
    ]);
    const read = await readTopic(topic, report.messages);
    const bodies = expectConsecutiveParts(read, 'UPDATE', rows);
    for (const message of bodies) {
      expect(message.old).toHaveLength(message.data.length);
      message.data.forEach((row, i) => {
        expect(row.body).toBe(body(Number(row.id), 1));
        expect(message.old![i]).toEqual({ body: body(Number(row.id), 0) });
      });
    }
  });

  it('writes a snapshot chunk in DTS Avro as one record per row, every row under the limit', async () => {
    const { topic, report } = await deliverTo(
      'split-avro',
      { policy: 'partition-zero', format: 'dts-avro' },
      [snapshot(notes)],
    );
    expect(report.messages).toBe(ROWS);
    const read = await readTopic(topic, ROWS);
    const ids = read.map((m) => {
      const images = decodeDtsAvro(m.value).afterImages as Array<Record<string, { value: string }>>;
      // Each image value is an Avro union: one branch name around the typed value.
      return Number(Object.values(images[0]!)[0]!.value);
    });
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });

  it('still stops on a single row over the limit, naming the table and key', async () => {
    const event = snapshot(notes, 10);
    event.rows[5] = ['5', 'x'.repeat(LIMIT)];
    const failure = await deliverTo('split-one-row', { policy: 'partition-zero' }, [event]).then(
      () => null,
      (error: unknown) => error,
    );
    if (!isTidewaterError(failure))
      throw new Error(`expected a TidewaterError: ${String(failure)}`);
    expect(failure.code).toBe('KAFKA_MESSAGE_TOO_LARGE');
    expect(failure.details).toMatchObject({ table: 'shop.notes', key: 'shop.notes', limit: LIMIT });
    // The message holding only the large row is refused, not one holding all ten.
    expect(failure.details.bytes).toBeLessThan(LIMIT + 1000);
  });
});
