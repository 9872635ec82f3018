export { uniqueName, uniqueTopic } from './names';
export { sleep } from './wait';
export { freePort } from './ports';
export { BROKERS, createTopic, foldTopic, type FoldedTopic, type Row } from './kafka';
