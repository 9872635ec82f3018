/**
 * The source MariaDB and Kafka of the local stack, as the conformance tests use them: private
 * databases, users and topics with unique names, and the source's time zone resolved the way
 * the engine resolves it for the formats.
 */
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { readSourceTimeZone } from '@tidewater/mysql-source';

// The engine tests' source, brokers and names: one definition for every suite on the stack.
export { BROKERS, SOURCE, uniqueName } from '@tidewater/engine/testing';
import { BROKERS, SOURCE, uniqueName } from '@tidewater/engine/testing';

export async function sourceSession(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...SOURCE,
    ...(database ? { database } : {}),
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
}

/** The zone TIMESTAMP values are printed in, resolved as the product resolves it. */
export function sourceTimeZone(session: mysql.Connection): Promise<string> {
  return readSourceTimeZone(session);
}

export async function createTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueName(prefix).replaceAll('_', '-');
  const admin = new Kafka({
    clientId: 'tw-conformance',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export async function deleteTopic(topic: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'tw-conformance',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}
