/**
 * The test kit's main entry. It never loads `@tidewater/stack`, whose endpoints are fixed when it
 * is first imported: tests that point the stack at a private MariaDB set the environment before
 * importing it. What needs the stack is `@tidewater/test-kit/stack`.
 */
export { uniqueName, uniqueTopic } from './names';
export { sleep } from './wait';
export { freePort } from './ports';
export { BROKERS, createTopic, deleteTopics, foldTopic, type FoldedTopic, type Row } from './kafka';
export { parsePrometheusText, type Scrape } from './prometheus-text';
export { startPrivateRedis, type PrivateRedis } from './private-redis';
