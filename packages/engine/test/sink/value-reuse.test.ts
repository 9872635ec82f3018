import type { InsertEvent } from '@tidewater/change-events';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageBuilder } from '../../src/pipeline/message-builder';
import { openEventSink } from '../../src/pipeline/sink';
import { ordersInsert } from '../fixtures';

afterAll(dropTopics);

/**
 * The sink copies message values into slabs it reuses once Kafka acknowledged them
 * (`value-arena.ts`). Reusing a slab too early would overwrite values still waiting to be sent
 * or retried, and Kafka would hold someone else's bytes. Here deliveries of different sizes go
 * out with several in flight at once, so slabs are reused many times while others wait to be
 * sent, and every value read back from the topic must equal the same event encoded on its own.
 */

const SOURCE = { version: '10.11.0-MariaDB', timeZone: 'UTC' };
const FIRST_ID = 1_000;

// Values of different lengths, so deliveries end anywhere in a slab.
const insert = (id: number): InsertEvent => ordersInsert(id, `row ${id} `.repeat(1 + (id % 23)));

describe('message values in reused slabs', () => {
  it('reach Kafka byte for byte while slabs are reused under deliveries in flight', async () => {
    const topic = await makeTopic('value-reuse');
    const sink = await openEventSink({
      destination: plainDestination(topic),
      format: 'dts-avro',
      partitionPolicy: 'partition-zero',
      source: SOURCE,
      firstId: FIRST_ID,
      // Small requests: values wait in the send queue behind earlier requests while the
      // deliveries before them are acknowledged and their slabs reused.
      limits: { maxRequestBytes: 16 * 1024 },
    });
    // 60 deliveries of 37 to 236 events (8,030 records of 60 to 450 bytes, about 2 MB
    // through 256 KiB slabs), at most twelve in flight.
    const batches: InsertEvent[][] = [];
    let next = 1;
    for (let i = 0; i < 60; i++) {
      const size = 37 + ((i * 53) % 200);
      batches.push(Array.from({ length: size }, () => insert(next++)));
    }
    try {
      const inFlight: Array<Promise<unknown>> = [];
      for (const batch of batches) {
        inFlight.push(sink.deliver(batch));
        if (inFlight.length >= 12) await inFlight.shift();
      }
      await Promise.all(inFlight);
    } finally {
      await sink.close();
    }

    const expected = new MessageBuilder({
      format: 'dts-avro',
      partitionPolicy: 'partition-zero',
      source: SOURCE,
      topic,
      ddlTopic: topic,
      partitions: new Map([[topic, 1]]),
      maxMessageBytes: new Map(),
      firstId: FIRST_ID,
    }).build(batches.flat(), Date.now());
    const read = await readTopic(topic, expected.length, 60_000);
    expect(read).toHaveLength(expected.length);
    const mismatched = read.filter((message, i) => !message.value.equals(expected[i]!.value));
    expect(mismatched.map((message) => message.offset)).toEqual([]);
  });
});
