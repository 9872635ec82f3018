import type { TaskConfig } from '@tidewater/config';
import {
  checkSchemaRegistry,
  describeBrokerVersion,
  listTopics,
  type TopicInfo,
} from '@tidewater/kafka-sink';
import { createNameMapping } from './pipeline/name-mapping';
import { scanTopicForTables } from './pipeline/topic-names';
import { fail, pass, warning, type PrecheckGroup, type PrecheckItemCheck } from './precheck-item';

/** Destination items: the broker answers, topics exist, the registry answers, no conflicts. */
export function destinationPrecheckItems(config: TaskConfig): PrecheckGroup {
  const destination = config.destination;
  let topics: Promise<TopicInfo[]> | null = null;
  const readTopics = () => (topics ??= listTopics(destination));
  const items: PrecheckItemCheck[] = [
    {
      key: 'destination.connectivity',
      name: 'Destination connectivity',
      isIgnorable: false,
      run: async () => {
        const found = await readTopics();
        return pass(`Kafka at ${destination.hosts} answered; ${found.length} topic(s) visible.`);
      },
    },
    {
      key: 'destination.version',
      name: 'Kafka version',
      isIgnorable: true,
      run: async () => {
        const version = String(await describeBrokerVersion(destination));
        const declared = destination.kafkaVersion;
        if (version.includes(declared) || declared === '')
          return pass(`The broker speaks Kafka ${version}.`);
        return warning(
          `The task says Kafka ${declared}; the broker's protocol versions match Kafka ${version}.`,
          'Set the Kafka version of the task to the broker’s; Tidewater adapts to the broker either way.',
        );
      },
    },
    ...[
      destination.topic,
      ...(destination.ddlTopic && destination.ddlTopic !== destination.topic
        ? [destination.ddlTopic]
        : []),
    ].map((topic): PrecheckItemCheck => ({
      key: `destination.topic:${topic}`,
      name: topic === destination.topic ? `Topic ${topic} exists` : `DDL topic ${topic} exists`,
      isIgnorable: false,
      run: async () => {
        const found = (await readTopics()).find((item) => item.name === topic);
        if (found) return pass(`Topic ${topic} exists with ${found.partitions} partition(s).`);
        return fail(
          `Topic ${topic} does not exist on the destination Kafka.`,
          `Create it (kafka-topics.sh --create --topic ${topic} --partitions <n>) or choose an existing topic.`,
        );
      },
    })),
  ];
  if (destination.schemaRegistry.enabled) {
    const registry = destination.schemaRegistry;
    items.push({
      key: 'destination.schema_registry',
      name: 'Schema registry',
      isIgnorable: false,
      run: async () => {
        const check = await checkSchemaRegistry(registry);
        return pass(`The schema registry at ${check.url} answered.`);
      },
    });
  }
  items.push({
    key: 'destination.conflicts',
    name: 'Conflicting tables in the destination topic',
    isIgnorable: true,
    run: async () => {
      const mapping = createNameMapping(config.objects, config.advanced.capitalization);
      const tables = config.objects.flatMap((object) =>
        object.kind === 'table'
          ? [
              {
                database: mapping.database(object.database),
                table: mapping.table(object.database, object.table),
              },
            ]
          : [],
      );
      const scan =
        tables.length === 0
          ? { found: [] }
          : await scanTopicForTables(destination, {
              topic: destination.topic,
              format: config.format,
              tables,
            });
      const conflicts = scan.found.map((table) => `${table.database}.${table.table}`);
      if (conflicts.length === 0)
        return pass(`Topic ${destination.topic} holds no messages for the selected tables.`);
      const message = `Topic ${destination.topic} already holds messages for ${conflicts.join(', ')}.`;
      return config.conflictMode === 'ignore'
        ? warning(
            message,
            'The task appends after them (processing mode: ignore errors and proceed).',
          )
        : fail(
            message,
            'Use an empty topic, or set the processing mode of conflicting tables to "Ignore errors and proceed" (or ignore this item) to append after them.',
          );
    },
  });
  return {
    items,
    noAnswerRemedy:
      'Check that Kafka (and the schema registry, when used) answer from the worker, then run the precheck again.',
    // Each item opens and closes its own clients; a stuck one ends on the client's own timeouts.
    abandon: () => {
      topics = null;
    },
    close: async () => undefined,
  };
}
