/**
 * A message over the topic's `max.message.bytes`, and the schema registry mode: Confluent
 * framing, the schema fetched back by id, the body decoded with it.
 */
import type { InsertEvent } from '@tidewater/change-events';
import { isTidewaterError } from '@tidewater/errors';
import { decodeDtsAvro, dtsAvroSchemaText } from '@tidewater/formats';
import { stackEndpoints } from '@tidewater/stack';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventSink } from '../../src/pipeline/sink';
import { checkSchemaRegistry, fetchSchemaById } from '@tidewater/kafka-sink';
import { testColumn } from '@tidewater/change-events/testing';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';
import { matrixEvents } from '@tidewater/change-events/testing';

afterAll(dropTopics);

const source = { version: '8.0.36', timeZone: 'UTC' };
const registryUrl = stackEndpoints.registry.url;

function note(id: number, text: string): InsertEvent {
  return {
    kind: 'insert',
    schema: {
      database: 'shop',
      table: 'notes',
      columns: [
        testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 }),
        testColumn('body', 'text', 'text', 'text', { charset: 'utf8mb4' }),
      ],
      primaryKey: ['id'],
      uniqueKeys: {},
    },
    rows: [[String(id), text]],
    timestamp: 1714530030000,
    position: null,
    gtid: null,
    serverId: 1,
  };
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isTidewaterError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('message size', () => {
  it("stops with KAFKA_MESSAGE_TOO_LARGE naming table and key; earlier deliveries land, later ones don't", async () => {
    const topic = await makeTopic('too-large', 1, { 'max.message.bytes': '4096' });
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'canal-json',
      partitionPolicy: 'hash-primary-key',
      source,
    });
    try {
      expect(sink.topics).toEqual([{ topic, partitions: 1, maxMessageBytes: 4096 }]);
      const before = sink.deliver([note(1, 'small'), note(2, 'x'.repeat(3000))]);
      const error = await failureOf(sink.deliver([note(3, 'y'.repeat(5000))]));
      expect(error.code).toBe('KAFKA_MESSAGE_TOO_LARGE');
      expect(error.message).toContain('shop.notes');
      expect(error.message).toContain('key "shop.notes:3"');
      expect(error.message).toContain(`"${topic}"`);
      expect(error.details).toMatchObject({
        table: 'shop.notes',
        key: 'shop.notes:3',
        limit: 4096,
      });
      expect(error.message).not.toContain('yyyy');
      await expect(before).resolves.toMatchObject({ messages: 2 });
      expect((await failureOf(sink.deliver([note(4, 'small')]))).code).toBe(
        'KAFKA_MESSAGE_TOO_LARGE',
      );
    } finally {
      await sink.close();
    }
    const read = await readTopic(topic, 2);
    expect(read.map((m) => m.key)).toEqual(['shop.notes:1', 'shop.notes:2']);
  });

  it('splits requests so that many small messages never make an over-large batch', async () => {
    const topic = await makeTopic('batch-split', 1, { 'max.message.bytes': '4096' });
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'canal-json',
      partitionPolicy: 'partition-zero',
      source,
    });
    try {
      const events = Array.from({ length: 200 }, (_, i) => note(i, 'z'.repeat(300)));
      await expect(sink.deliver(events)).resolves.toMatchObject({ messages: 200 });
    } finally {
      await sink.close();
    }
    expect(await readTopic(topic, 200)).toHaveLength(200);
  });
});

describe('schema registry', () => {
  it('answers the registry check, and names a wrong URL', async () => {
    await expect(checkSchemaRegistry({ url: registryUrl })).resolves.toMatchObject({
      url: registryUrl,
    });
    const wrongPath = await failureOf(
      checkSchemaRegistry({ url: `${new URL(registryUrl).origin}/nope` }),
    );
    expect(wrongPath.code).toBe('SCHEMA_REGISTRY_NOT_FOUND');
    const closedPort = await failureOf(checkSchemaRegistry({ url: 'http://127.0.0.1:1/' }));
    expect(closedPort.code).toBe('SCHEMA_REGISTRY_UNREACHABLE');
    // An account belongs in its fields: one inside the URL is refused, not sent, not shown.
    const secret = await failureOf(checkSchemaRegistry({ url: 'http://user:s3cret@127.0.0.1:1/' }));
    expect(secret.code).toBe('SCHEMA_REGISTRY_URL_INVALID');
    expect(secret.message).not.toContain('s3cret');
  });

  it('registers <topic>-value and frames every record in the Confluent wire format', async () => {
    const topic = await makeTopic('registry');
    const sink = await openEventSink({
      destination: plainDestination(topic, { schemaRegistry: { enabled: true, url: registryUrl } }),
      format: 'dts-avro',
      partitionPolicy: 'partition-zero',
      source,
    });
    let schemaIds: Record<string, number>;
    try {
      await sink.deliver(matrixEvents);
      ({ schemaIds } = await sink.publishTableSchema([]));
    } finally {
      await sink.close();
    }
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toContain(`${topic}-value`);

    const read = await readTopic(topic, 7);
    const ids = new Set(read.map((m) => m.value.readUInt32BE(1)));
    expect(read.every((m) => m.value[0] === 0)).toBe(true);
    expect([...ids]).toEqual([schemaIds[topic]]);

    const schema = await fetchSchemaById({ url: registryUrl }, [...ids][0]!);
    const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    expect(JSON.parse(schema)).toEqual(JSON.parse(dtsAvroSchemaText()));
    for (const message of read) {
      const body = message.value.subarray(5);
      const viaRegistry = type.fromBuffer(body);
      expect(type.toBuffer(viaRegistry).equals(body)).toBe(true);
      expect(viaRegistry).toEqual(decodeDtsAvro(body));
    }
  });

  it('refuses the registry with Canal JSON', async () => {
    const topic = await makeTopic('registry-canal');
    const error = await failureOf(
      openEventSink({
        destination: plainDestination(topic, {
          schemaRegistry: { enabled: true, url: registryUrl },
        }),
        format: 'canal-json',
        partitionPolicy: 'partition-zero',
        source,
      }),
    );
    expect(error.code).toBe('SINK_REGISTRY_NEEDS_AVRO');
  });
});
