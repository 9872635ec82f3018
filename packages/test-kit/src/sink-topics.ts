/**
 * For the sink's integration tests: task destinations on the local stack, topics a test file
 * creates and drops, and a reader that returns a topic's messages as they are (key, partition,
 * offset, bytes).
 */
import { randomBytes } from 'node:crypto';
import type { DestinationConfig } from '@tidewater/config';
import { stackEndpoints } from '@tidewater/stack';
import type { KafkaMessage } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, deleteTopics } from './kafka';

export function plainDestination(
  topic: string,
  extra: Partial<DestinationConfig> = {},
): DestinationConfig {
  return {
    hosts: stackEndpoints.kafka.brokers.join(','),
    port: 9092,
    kafkaVersion: '3.9',
    encryption: 'none',
    tls: { enabled: false, rejectUnauthorized: true },
    topic,
    schemaRegistry: { enabled: false },
    ...extra,
  };
}

export function scramDestination(
  topic: string,
  password = stackEndpoints.kafka.sasl.password,
): DestinationConfig {
  return plainDestination(topic, {
    hosts: stackEndpoints.kafka.saslBrokers.join(','),
    encryption: 'scram-sha-256',
    user: stackEndpoints.kafka.sasl.username,
    password,
  });
}

const created: string[] = [];

/** Creates a topic for this test file; `dropTopics` removes them in `afterAll`. */
export async function makeTopic(
  label: string,
  partitions = 1,
  config: Record<string, string> = {},
): Promise<string> {
  const topic = await createTopic({
    prefix: `test-sink-${label}`,
    partitions,
    config,
    brokers: stackEndpoints.kafka.brokers,
  });
  created.push(topic);
  return topic;
}

export async function dropTopics(): Promise<void> {
  await deleteTopics(created.splice(0), stackEndpoints.kafka.brokers);
}

export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
}

/**
 * Reads `count` messages of `topic` from the beginning (all partitions), or fails after
 * `timeoutMs`. Messages come back per partition in offset order, partitions ascending. A
 * broker that has just started may not serve the topic yet; that is retried until the deadline.
 */
export async function readTopic(
  topic: string,
  count: number,
  timeoutMs = 30_000,
  brokers = stackEndpoints.kafka.brokers,
): Promise<ReadMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readTopicOnce(topic, count, deadline, brokers);
    } catch (error) {
      const isRetriable = (error as { retriable?: unknown }).retriable === true;
      if (!isRetriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function readTopicOnce(
  topic: string,
  count: number,
  deadline: number,
  brokers: string[],
): Promise<ReadMessage[]> {
  const kafka = new Kafka({
    clientId: 'tidewater-test-reader',
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `test-reader-${randomBytes(6).toString('hex')}` });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} of ${count} messages of ${topic}`)),
        Math.max(0, deadline - Date.now()),
      );
      const take = (partition: number, message: KafkaMessage): void => {
        messages.push({
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value ?? Buffer.alloc(0),
        });
      };
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) take(batch.partition, message);
            if (messages.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
