/**
 * The admin requests the console, the precheck and the sink need: topics with their partition
 * counts, a topic's size limit, and topic creation for tests. Each call opens its own admin
 * client and closes it, so callers hold no connection between wizard steps.
 */
import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { KafkaClientOptions, KafkaConnection } from './connection';
import { createKafka, errorContext } from './connection';
import type { KafkaErrorContext } from './kafka-errors';
import { kafkaTopicMissing, translateKafkaError } from './kafka-errors';

// kafkajs is CommonJS: Node's ESM loader sees only some of its names as named exports, and
// `ConfigResourceTypes` is not one of them, so it is read from the default export.
const TOPIC_RESOURCE = kafkajs.ConfigResourceTypes.TOPIC;

export interface TopicInfo {
  name: string;
  partitions: number;
}

/**
 * Kafka's own topics start with `__` (`__consumer_offsets`, `__transaction_state`,
 * `__cluster_metadata`; `Topic.isInternal` and the `__` prefix convention of KIP-359): they
 * are never a task's destination, so the drop-downs leave them out.
 */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__');
}

/** Runs `use` with a connected admin client; kafkajs errors become `TidewaterError`s. */
export async function withAdmin<T>(
  connection: KafkaConnection,
  operation: string,
  use: (admin: Admin) => Promise<T>,
  options: KafkaClientOptions & { topic?: string } = {},
): Promise<T> {
  const admin = createKafka(connection, { clientId: 'tidewater-admin', ...options }).admin();
  try {
    await admin.connect();
    return await use(admin);
  } catch (error) {
    throw translateKafkaError(error, errorContext(connection, options.topic), operation);
  } finally {
    await admin.disconnect();
  }
}

/** Topics a task can write to, with partition counts, sorted by name; internal topics left out. */
export async function listTopics(connection: KafkaConnection): Promise<TopicInfo[]> {
  return withAdmin(connection, 'list topics', async (admin) => {
    const { topics } = await admin.fetchTopicMetadata();
    return topics
      .filter((topic) => !isInternalTopic(topic.name))
      .map((topic) => ({ name: topic.name, partitions: topic.partitions.length }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
}

export async function topicExists(connection: KafkaConnection, topic: string): Promise<boolean> {
  return withAdmin(connection, 'list topics', async (admin) =>
    (await admin.listTopics()).includes(topic),
  );
}

/** What the sink needs to know of a topic before writing to it. */
export interface TopicLayout {
  topic: string;
  partitions: number;
  /** The topic's effective `max.message.bytes` (its own setting or the broker default). */
  maxMessageBytes: number;
}

/**
 * Partition count and size limit of each topic, or `KAFKA_TOPIC_MISSING` for the first one
 * that does not exist (the broker does not auto-create topics for a task).
 */
export async function describeTopics(
  admin: Admin,
  topics: readonly string[],
  context: KafkaErrorContext,
): Promise<TopicLayout[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.find((topic) => !existing.has(topic));
  if (missing !== undefined) throw kafkaTopicMissing(context, missing);
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: TOPIC_RESOURCE,
      name,
      configNames: ['max.message.bytes'],
    })),
  });
  return topics.map((topic) => {
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    const entry = configs.resources
      .find((resource) => resource.resourceName === topic)
      ?.configEntries.find((config) => config.configName === 'max.message.bytes');
    // Kafka's default message.max.bytes (1 MiB + 12 bytes of log overhead) when not reported.
    const maxMessageBytes = Number(entry?.configValue ?? 1_048_588);
    return { topic, partitions, maxMessageBytes };
  });
}

/** `describeTopics` as a standalone call: opens and closes its own admin client. */
export async function describeTopicLayouts(
  connection: KafkaConnection,
  topics: readonly string[],
): Promise<TopicLayout[]> {
  return withAdmin(connection, 'describe topics', (admin) =>
    describeTopics(admin, topics, errorContext(connection)),
  );
}

export interface CreateTopicOptions {
  topic: string;
  partitions: number;
  /** Topic configs, e.g. `{ 'max.message.bytes': '2048' }`. */
  config?: Record<string, string>;
}

/** Creates a topic with replication factor 1 and waits for its leaders (tests, the bench). */
export async function createTopic(
  connection: KafkaConnection,
  options: CreateTopicOptions,
): Promise<void> {
  await withAdmin(
    connection,
    'create a topic',
    async (admin) => {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: options.topic,
            numPartitions: options.partitions,
            replicationFactor: 1,
            configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({
              name,
              value,
            })),
          },
        ],
      });
    },
    { topic: options.topic },
  );
}

/** Deletes topics (tests and the bench give their disk back). Missing topics are ignored. */
export async function deleteTopics(
  connection: KafkaConnection,
  topics: readonly string[],
): Promise<void> {
  await withAdmin(connection, 'delete topics', async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  });
}
