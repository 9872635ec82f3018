import type { EngineContext } from '../context';
import { maskUrlPasswords } from '../log';
import { withTimeout } from './queue-metrics';

export interface DependencyCheck {
  name: string;
  isUp: boolean;
  /** What answered, or why not: an error message with any URL password masked. */
  detail: string;
  latencyMs: number;
}

export interface Readiness {
  isReady: boolean;
  checks: DependencyCheck[];
}

/** A probe that does not answer within this long counts as down (Kubernetes waits ~1 s). */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness of a process: PostgreSQL answers `SELECT 1`, Redis answers `PING`, and whatever
 * else the process names (the worker: its BullMQ workers are running). Unlike the System page
 * (`checkSystemHealth`), Kafka and the schema registry are not asked: a task waits and retries
 * while they are away, and a process restarted for their sake would not bring them back.
 * Names and messages only: no connection strings, hosts with passwords or keys.
 */
export async function checkReadiness(
  context: Pick<EngineContext, 'db' | 'redis'>,
  extra: Array<{ name: string; check: () => Promise<string> | string }> = [],
): Promise<Readiness> {
  const checks = await Promise.all([
    check('postgresql', async () => {
      await context.db.$queryRawUnsafe('SELECT 1');
      return 'SELECT 1 answered.';
    }),
    check('redis', async () => `PING answered ${await context.redis.ping()}.`),
    ...extra.map((item) => check(item.name, async () => item.check())),
  ]);
  return { isReady: checks.every((item) => item.isUp), checks };
}

async function check(name: string, run: () => Promise<string>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    const detail = await withTimeout(run(), CHECK_TIMEOUT_MS, 'no answer');
    return { name, isUp: true, detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      name,
      isUp: false,
      detail: maskUrlPasswords(message.replace(/\s+/g, ' ').trim()).slice(0, 300),
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
