/**
 * `@tidewater/kafka-sink`: writes change events to Apache Kafka. Connection and errors,
 * the admin helpers the console and precheck use, partition policies and keys, the schema
 * registry, and the sink whose `deliver` resolves only after Kafka acknowledged.
 */
export {
  createTopic,
  deleteTopics,
  describeTopicLayouts,
  isInternalTopic,
  listTopics,
  topicExists,
  type CreateTopicOptions,
  type TopicInfo,
  type TopicLayout,
} from './admin';
export {
  describeBrokerVersion,
  releaseOf,
  type ApiVersionRange,
  type BrokerVersion,
} from './broker-version';
export { describeSecurity, kafkaConfig, type KafkaConnection, type KafkaLog } from './connection';
export { translateKafkaError } from './kafka-errors';
export {
  DEFAULT_SINK_LIMITS,
  openKafkaSink,
  type DeliveryReport,
  type KafkaSink,
  type KafkaSinkOptions,
  type SchemaPublication,
  type SinkCompression,
  type SinkLimits,
  type TableDefinition,
} from './kafka-sink';
export { type SourceInfo } from './message-builder';
export { keyColumnsOf, partitionOf, rowKey, tableKey } from './partition-policy';
export {
  scanTopicForTables,
  topicHasMessagesFor,
  type TableName,
  type TopicScanOptions,
  type TopicScanResult,
} from './topic-scan';
export {
  checkSchemaRegistry,
  fetchSchemaById,
  registerSchema,
  valueSubject,
  type SchemaRegistryCheck,
} from './schema-registry';
