/**
 * The sink's producer client on its own (the sink opens its topics with kafkajs first, so a
 * wrong password or a dead port never reaches the producer there), and the broker's own
 * size check, which the sink's check before sending normally pre-empts.
 */
import { isTidewaterError } from '@tidewater/errors';
import { Kafka, logLevel } from 'kafkajs';
import { stackEndpoints } from '@tidewater/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBrokerVersion } from '../src/broker-version';
import { errorContext } from '../src/connection';
import { translateKafkaError } from '../src/kafka-errors';
import { openKafkaSink, recordBytes } from '../src/index';
import { sinkProduceApi } from '../src/produce-request';
import { openSinkProducer, type SinkProducerOptions } from '../src/producer';
import {
  dropTopics,
  makeTopic,
  plainDestination,
  readTopic,
  scramDestination,
} from '@tidewater/test-kit/stack';

afterAll(dropTopics);

const options: SinkProducerOptions = {
  clientId: 'tidewater-test-producer',
  compression: 'none',
  retries: 2,
  initialRetryTimeMs: 100,
  maxRetryTimeMs: 200,
  ackTimeoutMs: 10_000,
};

async function producerFailure(destination: ReturnType<typeof plainDestination>) {
  try {
    const producer = await openSinkProducer(destination, options);
    await producer.close();
  } catch (error) {
    return translateKafkaError(error, errorContext(destination, destination.topic), 'connect');
  }
  throw new Error('expected the producer to fail');
}

const message = (topic: string, key: string, value: Buffer) => ({
  topic,
  partition: 0,
  key,
  value,
  size: recordBytes(key, value),
  table: 'shop.orders',
});

describe('the sink producer', () => {
  it('reports a refused SCRAM login as KAFKA_AUTH_FAILED without the password', async () => {
    const error = await producerFailure(scramDestination('any', 'not-the-secret'));
    expect(error.code).toBe('KAFKA_AUTH_FAILED');
    expect(error.message).toContain('SCRAM-SHA-256 as user "tidewater"');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      'not-the-secret',
    );
  });

  it('reports a port where no broker listens as KAFKA_UNREACHABLE', async () => {
    const error = await producerFailure(plainDestination('any', { hosts: '127.0.0.1:1', port: 1 }));
    expect(error.code).toBe('KAFKA_UNREACHABLE');
    expect(error.message).toMatch(/^Kafka at 127\.0\.0\.1:1 \(PLAINTEXT\) did not answer/);
  });

  it('keeps keys and values, null keys included, in order within a request', async () => {
    const topic = await makeTopic('producer-order');
    const producer = await openSinkProducer(plainDestination(topic), options);
    try {
      await producer.send([
        message(topic, 'a', Buffer.from('1')),
        message(topic, 'a', Buffer.from('2')),
        { ...message(topic, 'x', Buffer.from('3')), key: null },
        message(topic, 'b', Buffer.from('4')),
      ]);
    } finally {
      await producer.close();
    }
    const read = await readTopic(topic, 4);
    expect(read.map((m) => [m.key, m.value.toString()])).toEqual([
      ['a', '1'],
      ['a', '2'],
      [null, '3'],
      ['b', '4'],
    ]);
  });

  it('writes its own Produce requests at the version this broker negotiates', async () => {
    // The library takes the newest Produce version both sides speak (it implements up to 11);
    // the sink's writer must be the one used there, not the library's fallback.
    const { apiVersions } = await describeBrokerVersion(plainDestination('any'));
    const produce = apiVersions.find((range) => range.apiKey === 0);
    const negotiated = { key: 0, version: Math.min(produce?.max ?? -1, 11) };
    expect(sinkProduceApi(negotiated)).not.toBe(negotiated);
  });

  it('names the largest message when the broker refuses a batch for its size', async () => {
    const topic = await makeTopic('broker-too-large', 1, { 'max.message.bytes': '20000' });
    const destination = plainDestination(topic);
    const sink = await openKafkaSink({ destination });
    // The limit shrinks after the sink read it: only the broker can catch the message now.
    const kafka = new Kafka({ brokers: stackEndpoints.kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2, // TOPIC
            name: topic,
            configEntries: [{ name: 'max.message.bytes', value: '2000' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    try {
      await sink.deliver([message(topic, 'small', Buffer.alloc(100, 'a'))]);
      const refused = sink.deliver([
        message(topic, 'k1', Buffer.alloc(500, 'b')),
        message(topic, 'k2', Buffer.alloc(5_000, 'c')),
      ]);
      const later = sink.deliver([message(topic, 'later', Buffer.alloc(10, 'd'))]);
      const [first, second] = await Promise.allSettled([refused, later]);
      expect(first.status).toBe('rejected');
      const error = (first as PromiseRejectedResult).reason as unknown;
      expect(isTidewaterError(error) && error.code).toBe('KAFKA_MESSAGE_TOO_LARGE');
      expect(isTidewaterError(error) && error.details).toMatchObject({
        topic,
        table: 'shop.orders',
        key: 'k2',
      });
      expect(second).toMatchObject({ status: 'rejected', reason: error });
    } finally {
      await sink.close({ discardPending: true });
    }
    const read = await readTopic(topic, 1);
    expect(read.map((m) => m.key)).toEqual(['small']);
  });
});
