import { createOperatorRepository, type Database } from '@tidewater/db';

import type { StackEndpoints } from './endpoints';

/**
 * The quickstart's demo task, `demo_shop to Kafka`, created through the HTTP API as an operator
 * would. Where its source and Kafka are depends on where the worker runs: natively, the stack's
 * own addresses; under Docker Compose, the worker is a container and reaches the services by
 * their names in the compose network (docker-compose.yml): `mysql` on 3306 and Kafka's
 * in-network listener `kafka:19092`.
 */

export type DemoTaskPlacement = 'native' | 'compose';

/** The compose network's names (docker-compose.yml, packages/stack/docker/kafka). */
export const COMPOSE_NETWORK = {
  /** MySQL 5.7 (the compose stack's source), not the native stack's MariaDB. */
  source: { type: 'mysql', host: 'mysql', port: 3306 },
  kafka: { host: 'kafka', port: 19092 },
} as const;

export interface DemoTaskEndpoints {
  source: { type: 'mysql' | 'mariadb'; host: string; port: number; user: string; password: string };
  kafka: { host: string; port: number };
}

export function demoTaskEndpoints(
  placement: DemoTaskPlacement,
  endpoints: StackEndpoints,
): DemoTaskEndpoints {
  const { mariadb, kafka } = endpoints;
  const credentials = { user: mariadb.user, password: mariadb.password };
  if (placement === 'compose') {
    return {
      source: { ...COMPOSE_NETWORK.source, ...credentials },
      kafka: { ...COMPOSE_NETWORK.kafka },
    };
  }
  const [host = '127.0.0.1', port = '9092'] = (kafka.brokers[0] ?? '127.0.0.1:9092').split(':');
  return {
    source: { type: 'mariadb', host: mariadb.host, port: mariadb.port, ...credentials },
    kafka: { host, port: Number(port) },
  };
}

/** The body of POST /api/tasks for the demo task. */
export function demoTaskRequest(where: DemoTaskEndpoints): Record<string, unknown> {
  return {
    name: 'demo_shop to Kafka',
    source: { ...where.source },
    destination: { hosts: where.kafka.host, port: where.kafka.port, topic: 'demo_shop' },
  };
}

/**
 * Creates the demo task unless a task exists, with an API token of admin's revoked right after.
 * Returns whether it created one.
 */
export async function createDemoTask(
  consoleUrl: string,
  db: Database,
  where: DemoTaskEndpoints,
): Promise<boolean> {
  const operators = createOperatorRepository(db);
  const admin = await db.operator.findUniqueOrThrow({ where: { username: 'admin' } });
  const { token, apiToken } = await operators.createApiToken(admin.id, 'quickstart demo task');
  try {
    const authorization = `Bearer ${token}`;
    const listed = await fetch(`${consoleUrl}/api/tasks`, { headers: { authorization } });
    if (!listed.ok) throw new Error(`Listing the tasks failed: ${await listed.text()}`);
    const { tasks } = (await listed.json()) as { tasks: unknown[] };
    if (tasks.length > 0) return false;
    const response = await fetch(`${consoleUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(demoTaskRequest(where)),
    });
    if (!response.ok) throw new Error(`Creating the demo task failed: ${await response.text()}`);
    return true;
  } finally {
    await operators.revokeApiToken(admin.id, apiToken.id);
  }
}
