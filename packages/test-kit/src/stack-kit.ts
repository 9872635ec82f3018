/**
 * The part of the test kit that reads the local stack's endpoints (`@tidewater/stack`): task
 * destinations on the stack's broker, its TLS material, and a private broker run from its jars.
 * Importing this fixes the stack's endpoints, so a test that starts a private MariaDB through the
 * stack imports this only after setting the environment, or not at all.
 */
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
