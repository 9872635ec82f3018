/**
 * `@tidewater/kafka-sink`: writes ready messages to Apache Kafka. Connection and errors, the
 * admin helpers the console and precheck use, a bounded topic sample, the schema registry, and
 * the sink whose `deliver` resolves only after Kafka acknowledged.
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
export {
  describeSecurity,
  kafkaConfig,
  kafkaSecurity,
  type KafkaConnection,
  type KafkaLog,
  type KafkaSecurity,
} from './connection';
export { translateKafkaError } from './kafka-errors';
export { openSinkProducer, type SinkProducer } from './producer';
export {
  DEFAULT_SINK_LIMITS,
  openKafkaSink,
  type DeliveryReport,
  type KafkaSink,
  type KafkaSinkOptions,
  type OutgoingMessage,
  type SinkCompression,
  type SinkLimits,
} from './kafka-sink';
export { BATCH_OVERHEAD_BYTES, RECORD_OVERHEAD_BYTES, recordBytes } from './send-queue';
export { scanTopic, type TopicScanOptions, type TopicScanResult } from './topic-scan';
export {
  checkSchemaRegistry,
  fetchSchemaById,
  registerSchema,
  valueSubject,
  type SchemaRegistryCheck,
  type SchemaRegistryConnection,
} from './schema-registry';
