import type { Redis } from 'ioredis';
import { readEnvironment, type Environment } from '@tidewater/config/environment';
import {
  createDatabase,
  createSecretBox,
  createRunRepository,
  createTaskRepository,
  loadSecretKey,
  type Database,
  type RunRepository,
  type TaskRepository,
} from '@tidewater/db';
import { createRedisConnection, createTaskQueues, type TaskQueues } from './queues';

/** Everything the web app and the worker share: the database, the queues, the secret key. */
export interface EngineContext {
  environment: Environment;
  db: Database;
  tasks: TaskRepository;
  runs: RunRepository;
  redis: Redis;
  queues: TaskQueues;
  close(): Promise<void>;
}

export function createEngineContext(environment: Environment = readEnvironment()): EngineContext {
  const db = createDatabase(environment.DATABASE_URL);
  const secrets = createSecretBox(
    loadSecretKey({
      key: environment.TIDEWATER_SECRET_KEY,
      keyFile: environment.TIDEWATER_SECRET_KEY_FILE,
    }),
  );
  const redis = createRedisConnection(environment.REDIS_URL);
  const queues = createTaskQueues(redis, environment.TIDEWATER_QUEUE_PREFIX);
  return {
    environment,
    db,
    tasks: createTaskRepository(db, secrets),
    runs: createRunRepository(db),
    redis,
    queues,
    async close() {
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
