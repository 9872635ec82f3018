export { uniqueName, uniqueTopic } from './names';
export { sleep } from './wait';
export { freePort } from './ports';
export { BROKERS, createTopic, deleteTopics, foldTopic, type FoldedTopic, type Row } from './kafka';
export {
  dropTopics,
  makeTopic,
  plainDestination,
  readTopic,
  scramDestination,
  SECURED_LISTENERS,
  securedDestination,
  stackTls,
  type ReadMessage,
  type SecuredListener,
} from './sink-topics';
export { startPrivateBroker, type PrivateBroker } from './private-broker';
export { parsePrometheusText, type Scrape } from './prometheus-text';
export { startPrivateRedis, type PrivateRedis } from './private-redis';
