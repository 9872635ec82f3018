import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TidewaterError } from '@tidewater/errors';

/**
 * The process environment both apps read, validated once at start-up so a typo fails with a
 * message instead of a connection error later. Defaults match the local stack.
 */
export const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL.')
    .default('postgresql://postgres@127.0.0.1:5432/tidewater'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL.')
    .default('redis://127.0.0.1:6379'),
  /** 32-byte key for secrets at rest, base64 or hex; see TIDEWATER_SECRET_KEY_FILE. */
  TIDEWATER_SECRET_KEY: z.string().optional(),
  /** File holding the key; created with a random key on first run when neither is set. */
  TIDEWATER_SECRET_KEY_FILE: z.string().default('.stack/secret.key'),
  /** Prefix of the BullMQ queues, so several installations can share one Redis. */
  TIDEWATER_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('tidewater'),
  /**
   * The Confluent-compatible schema registry the System page checks: the API root that has
   * `/subjects` (for Apicurio, its `/apis/ccompat/v7`). The local stack's by default.
   */
  TIDEWATER_SCHEMA_REGISTRY_URL: z.string().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  /** Kafka the System page checks (the local stack's by default). */
  TIDEWATER_KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  /**
   * How often the workers check that every running task has a run job (ms); one worker per
   * interval does the pass. Tests shorten or lengthen it.
   */
  TIDEWATER_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(5_000),
  /** The least severe log line written (JSON lines on stdout/stderr, web and worker alike). */
  TIDEWATER_LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], {
      error: (issue) =>
        `"${String(issue.input)}" is not a log level: use debug, info, warn or error.`,
    })
    .default('info'),
  /**
   * How the worker's JavaScript engine trades memory for CPU: `throughput` (the default) lets
   * the heap grow for speed, `memory` keeps it small at some throughput (see the worker's
   * gc-mode.ts for the measured difference).
   */
  TIDEWATER_WORKER_GC: z
    .enum(['throughput', 'memory'], {
      error: (issue) =>
        `TIDEWATER_WORKER_GC="${String(issue.input)}" is not a mode: use throughput (the default) or memory.`,
    })
    .default('throughput'),
  /** The worker's operations server (/livez, /readyz, /metrics): port, 0 for any free one. */
  TIDEWATER_WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** Its address: loopback unless a container or a scraper elsewhere needs it (0.0.0.0). */
  TIDEWATER_WORKER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * When set, GET /metrics (web and worker) answers only `Authorization: Bearer <token>`.
   * Unset: /metrics is open, like /livez and /readyz; its figures carry no secrets.
   */
  TIDEWATER_METRICS_TOKEN: z
    .string()
    .min(16, 'TIDEWATER_METRICS_TOKEN must be at least 16 characters.')
    .optional(),
  /**
   * The reverse proxies in front of the console (comma-separated addresses or CIDR ranges):
   * only a request from one of them may say in X-Forwarded-For/-Proto/-Host who the client
   * is and whether it used https. Empty: the console is reached directly and the headers are
   * ignored.
   */
  TIDEWATER_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(
      z.array(
        z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
          error: (issue) =>
            `"${String(issue.input)}" is not an IP address or a CIDR range (e.g. 10.0.0.0/8).`,
        }),
      ),
    ),
});

export type Environment = z.infer<typeof environmentSchema>;

export function readEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new TidewaterError(
      'ENVIRONMENT_INVALID',
      `The environment is invalid: ${problems.join('; ')}`,
      {
        category: 'invalid_input',
        remedy: 'Fix the named environment variables (see the README, "Configuration").',
      },
    );
  }
  return {
    ...result.data,
    TIDEWATER_SECRET_KEY_FILE: resolveFromInstallRoot(result.data.TIDEWATER_SECRET_KEY_FILE),
  };
}

/**
 * Resolves a relative path against the installation root (the folder holding turbo.json),
 * so the web app (started in apps/web) and the worker (started at the root) find the same
 * files. Absolute paths are kept.
 */
export function resolveFromInstallRoot(file: string, start = process.cwd()): string {
  if (path.isAbsolute(file)) return file;
  for (let dir = start; ; dir = path.dirname(/*turbopackIgnore: true*/ dir)) {
    if (existsSync(path.join(/*turbopackIgnore: true*/ dir, 'turbo.json'))) {
      return path.join(/*turbopackIgnore: true*/ dir, file);
    }
    if (path.dirname(dir) === dir) return path.resolve(/*turbopackIgnore: true*/ start, file);
  }
}
