import { isTidewaterError } from '@tidewater/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { listTopics, openKafkaSink, recordBytes, topicExists } from '../src/index';
import {
  dropTopics,
  makeTopic,
  plainDestination,
  readTopic,
  scramDestination,
} from '@tidewater/test-kit/stack';

afterAll(dropTopics);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isTidewaterError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('connecting to Kafka', () => {
  it('logs in with SCRAM-SHA-256 and delivers', async () => {
    const topic = await makeTopic('scram');
    const sink = await openKafkaSink({
      destination: scramDestination(topic),
    });
    try {
      const value = Buffer.from('{"isDdl":true}');
      const report = await sink.deliver([
        { topic, partition: 0, key: null, value, size: recordBytes(null, value), table: 'shop' },
      ]);
      expect(report).toMatchObject({ messages: 1, partitions: { [topic]: [0] } });
    } finally {
      await sink.close();
    }
    expect((await readTopic(topic, 1))[0]!.value.toString()).toContain('"isDdl":true');
    expect(await topicExists(scramDestination(topic), topic)).toBe(true);
  });

  it('reports a wrong SCRAM password as KAFKA_AUTH_FAILED without the password', async () => {
    const topic = await makeTopic('scram-wrong');
    const message = await codeOf(
      openKafkaSink({
        destination: scramDestination(topic, 'not-the-secret'),
      }),
    );
    expect(message).toMatch(/^KAFKA_AUTH_FAILED: /);
    expect(message).toContain('user "tidewater"');
    expect(message).not.toContain('not-the-secret');
    expect(await codeOf(listTopics(scramDestination(topic, 'nope')))).toMatch(/^KAFKA_AUTH_FAILED/);
  });

  it('reports a missing topic as KAFKA_TOPIC_MISSING naming it', async () => {
    const message = await codeOf(
      openKafkaSink({
        destination: plainDestination('test-sink-no-such-topic'),
      }),
    );
    expect(message).toMatch(/^KAFKA_TOPIC_MISSING: .*"test-sink-no-such-topic"/);
  });

  it('reports a missing DDL topic the same way', async () => {
    const topic = await makeTopic('ddl-missing');
    const message = await codeOf(
      openKafkaSink({
        destination: plainDestination(topic, { ddlTopic: 'test-sink-no-such-ddl-topic' }),
      }),
    );
    expect(message).toMatch(/^KAFKA_TOPIC_MISSING: .*"test-sink-no-such-ddl-topic"/);
  });

  it('reports a port where no broker listens as KAFKA_UNREACHABLE', async () => {
    const message = await codeOf(
      listTopics(plainDestination('any', { hosts: '127.0.0.1:1', port: 1 })),
    );
    expect(message).toMatch(/^KAFKA_UNREACHABLE: Kafka at 127\.0\.0\.1:1 \(PLAINTEXT\)/);
  });

  it('lists topics with partition counts and without internal topics', async () => {
    const topic = await makeTopic('listed', 3);
    const topics = await listTopics(plainDestination(topic));
    expect(topics).toContainEqual({ name: topic, partitions: 3 });
    expect(topics.some((t) => t.name.startsWith('__'))).toBe(false);
    expect(await topicExists(plainDestination(topic), `${topic}-nope`)).toBe(false);
  });
});
