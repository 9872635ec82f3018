/**
 * For the sink's integration tests: task destinations on the local stack, topics a test file
 * creates and drops, and a reader that returns a topic's messages as they are (key, partition,
 * offset, bytes).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** The stack's test CA, and the client certificate and key it signed (PEM). */
export function stackTls(): { ca: string; clientCert: string; clientKey: string } {
  const files = stackEndpoints.kafka.tls;
  return {
    ca: readFileSync(files.caFile, 'utf8'),
    clientCert: readFileSync(files.clientCertFile, 'utf8'),
    clientKey: readFileSync(files.clientKeyFile, 'utf8'),
  };
}

/**
 * The ways a destination logs in that the stack's broker offers, each on its listener: SASL
 * without TLS, SSL with a client certificate (mTLS), SASL over TLS.
 */
export const SECURED_LISTENERS = ['plain', 'scram-sha-512', 'mtls', 'sasl-ssl'] as const;
export type SecuredListener = (typeof SECURED_LISTENERS)[number];

export function securedDestination(
  kind: SecuredListener,
  topic: string,
  extra: Partial<DestinationConfig> = {},
): DestinationConfig {
  const kafka = stackEndpoints.kafka;
  const login = { user: kafka.sasl.username, password: kafka.sasl.password };
  const tls = stackTls();
  const base = (() => {
    switch (kind) {
      case 'plain':
        return { hosts: kafka.saslBrokers.join(','), encryption: 'plain' as const, ...login };
      case 'scram-sha-512':
        return {
          hosts: kafka.saslBrokers.join(','),
          encryption: 'scram-sha-512' as const,
          ...login,
        };
      case 'mtls':
        return {
          hosts: kafka.sslBrokers.join(','),
          encryption: 'none' as const,
          tls: { enabled: true, rejectUnauthorized: true, ...tls },
        };
      case 'sasl-ssl':
        return {
          hosts: kafka.saslSslBrokers.join(','),
          encryption: 'scram-sha-256' as const,
          ...login,
          tls: { enabled: true, rejectUnauthorized: true, ca: tls.ca },
        };
    }
  })();
  return plainDestination(topic, { ...base, ...extra });
}
