import { Kafka, logLevel } from 'kafkajs';
import { BROKERS, createTopic as createKitTopic } from '@tidewater/test-kit';

export { BROKERS, foldTopic, uniqueTopic, type FoldedTopic, type Row } from '@tidewater/test-kit';

/**
 * Kafka for the browser tests: private topics, a producer for messages of another writer, and
 * the test kit's consumer that folds a topic back into rows per table.
 */

function kafka(): Kafka {
  return new Kafka({ clientId: 'tw-e2e', brokers: BROKERS, logLevel: logLevel.NOTHING });
}

/** A private topic on the test broker. */
export async function createTopic(topic: string, partitions = 2): Promise<void> {
  await createKitTopic({ topic, partitions });
}

/** Writes messages to a topic, as another producer sharing it would. */
export async function produce(topic: string, values: string[]): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}
