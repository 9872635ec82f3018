import { TidewaterError } from '@tidewater/errors';

import { describeEndpoint, managedServiceNames, serviceNames, stackEndpoints } from './endpoints';
import type { ServiceName, StackEndpoints } from './endpoints';
import { ensurePostgres, ensureRedis } from './external-services';
import { startKafka, stopKafka } from './kafka';
import { probeService } from './probes';
import { startRegistry, stopRegistry } from './schema-registry';
import { startMariadb, stopMariadb } from './source-mariadb';
import { withStartLock } from './start-lock';

export interface ServiceStatus {
  name: ServiceName;
  isUp: boolean;
  /** host:port (or URL) the probe spoke to; never credentials. */
  endpoint: string;
  /** The version that answered, or why the service is down. */
  detail: string;
  /** Whether `up`/`down` start and stop it (PostgreSQL and Redis are the machine's). */
  isManaged: boolean;
}

function isManaged(name: ServiceName): boolean {
  return managedServiceNames.includes(name);
}

/** Asks every service over its own protocol; a pid file or an open port proves nothing. */
export async function stackStatus(
  services: readonly ServiceName[] = serviceNames,
  endpoints: StackEndpoints = stackEndpoints,
): Promise<ServiceStatus[]> {
  return Promise.all(
    services.map(async (name) => {
      const result = await probeService(name, endpoints);
      return {
        name,
        isUp: result.isUp,
        endpoint: describeEndpoint(name, endpoints),
        detail: result.detail,
        isManaged: isManaged(name),
      };
    }),
  );
}

/**
 * Starts one service (or, for PostgreSQL and Redis, checks it and creates the databases).
 * Returns at once when it already answers.
 */
export async function startService(
  name: ServiceName,
  endpoints: StackEndpoints = stackEndpoints,
): Promise<void> {
  switch (name) {
    case 'postgres':
      return ensurePostgres(endpoints);
    case 'redis':
      return ensureRedis(endpoints);
    case 'mariadb':
    case 'kafka':
    case 'registry':
      return withStartLock(name, async () => {
        if ((await probeService(name, endpoints)).isUp) return;
        if (name === 'mariadb') return startMariadb(endpoints.mariadb);
        if (name === 'kafka') return startKafka(endpoints.kafka);
        return startRegistry(endpoints.registry);
      });
  }
}

/**
 * Stops a service this package started (graceful first, then killed). Returns false when it
 * was not running. PostgreSQL and Redis are never stopped.
 */
export async function stopService(name: ServiceName): Promise<boolean> {
  switch (name) {
    case 'mariadb':
      return stopMariadb();
    case 'kafka':
      return stopKafka();
    case 'registry':
      return stopRegistry();
    case 'postgres':
    case 'redis':
      throw new TidewaterError(
        'STACK_SERVICE_NOT_MANAGED',
        `${name} belongs to the machine; the stack does not stop it.`,
        {
          category: 'invalid_input',
          remedy: `Stop it with the system's service manager if you must; \`stack down\` handles ${managedServiceNames.join(', ')}.`,
        },
      );
  }
}

/**
 * Brings the given services up (all by default) and returns their status. PostgreSQL and
 * Redis are checked first; the services we run start side by side. Every failure is reported,
 * not just the first.
 */
export async function ensureStackUp(
  services: readonly ServiceName[] = serviceNames,
  endpoints: StackEndpoints = stackEndpoints,
): Promise<ServiceStatus[]> {
  const external = services.filter((name) => !isManaged(name));
  const managed = services.filter((name) => isManaged(name));
  const failures: TidewaterError[] = [];
  for (const group of [external, managed]) {
    const results = await Promise.allSettled(group.map((name) => startService(name, endpoints)));
    for (const result of results) {
      if (result.status === 'rejected') failures.push(asTidewaterError(result.reason));
    }
  }
  if (failures.length === 1 && failures[0] !== undefined) throw failures[0];
  if (failures.length > 1) {
    throw new TidewaterError(
      'STACK_NOT_UP',
      `${failures.length} services did not come up:\n${failures.map((failure) => `- ${failure.message}`).join('\n')}`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy: failures.map((failure) => failure.remedy).join('\n'),
        details: { codes: failures.map((failure) => failure.code) },
      },
    );
  }
  return stackStatus(services, endpoints);
}

function asTidewaterError(error: unknown): TidewaterError {
  if (error instanceof TidewaterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TidewaterError('STACK_START_FAILED', `Starting the stack failed: ${message}`, {
    category: 'internal',
    remedy: 'Read the logs under .stack/ for the service named above.',
    cause: error,
  });
}
