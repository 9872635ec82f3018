import {
  generateTaskName,
  maskUrl,
  taskConfigSchema,
  taskStatusSchema,
  type InstanceClass,
  type TaskConfig,
  type TaskStatus,
} from '@tidewater/config';
import type {
  PublicSchemaRegistry,
  TaskEventLevel,
  TaskEventView,
  TaskView,
} from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';
import type { Database } from './client';
import { withDatabaseErrors } from './database-errors';
import type { SecretBox } from './secrets';

/**
 * Task persistence. The configuration is stored as validated JSON with every password (source,
 * Kafka, schema registry) sealed (see secrets.ts); reads for the API strip passwords and mask
 * URLs, reads for the worker open them.
 */

// The answers' shapes are the API contract's (`@tidewater/config/api`), defined once there.
export type {
  PublicSchemaRegistry,
  PublicTaskConfig,
  TaskEventLevel,
  TaskEventView,
  TaskView,
} from '@tidewater/config/api';

export interface TaskRepository {
  createTask(draft: TaskConfig): Promise<TaskView>;
  listTasks(options?: {
    limit?: number;
    status?: TaskStatus;
    search?: string;
  }): Promise<TaskView[]>;
  /** Replaces the configuration (passwords sealed again; the caller merged what to keep). */
  updateConfig(id: string, config: TaskConfig): Promise<TaskView>;
  /**
   * Buy and Start in one statement: the instance class, the terms acceptance and the status
   * `running`, written only while the task is in one of `from`. False, with nothing written,
   * when it is not (another request changed it first).
   */
  startTask(
    id: string,
    from: readonly TaskStatus[],
    start: { instanceClass: InstanceClass; termsAcceptedBy: string; at: Date },
  ): Promise<boolean>;
  getTask(id: string): Promise<TaskView>;
  /** The configuration with passwords in clear, for the worker only. */
  readTaskConfig(id: string): Promise<TaskConfig>;
  setStatus(id: string, status: TaskStatus, reason?: string | null): Promise<void>;
  appendEvent(
    id: string,
    event: { level: TaskEventLevel; kind: string; message: string; data?: unknown },
  ): Promise<void>;
  listEvents(id: string, options?: { limit?: number }): Promise<TaskEventView[]>;
}

type TaskRow = {
  startedAt: Date | null;
  termsAcceptedAt: Date | null;
  termsAcceptedBy: string | null;
  id: string;
  name: string;
  status: string;
  statusReason: string | null;
  config: unknown;
  createdAt: Date;
  updatedAt: Date;
};

export function createTaskRepository(db: Database, secrets: SecretBox): TaskRepository {
  /**
   * Applies `change` to every secret of the configuration: the passwords (source, Kafka,
   * registry) and the Kafka client key.
   */
  function mapPasswords(config: TaskConfig, change: (value: string) => string): TaskConfig {
    const map = (value: string | undefined) => (value === undefined ? undefined : change(value));
    const registry = config.destination.schemaRegistry;
    const tls = config.destination.tls;
    return {
      ...config,
      source: { ...config.source, password: map(config.source.password) },
      destination: {
        ...config.destination,
        password: map(config.destination.password),
        tls: tls.clientKey === undefined ? tls : { ...tls, clientKey: map(tls.clientKey) },
        schemaRegistry: registry.enabled
          ? { ...registry, password: map(registry.password) }
          : registry,
      },
    };
  }

  function sealConfig(draft: TaskConfig): TaskConfig {
    return mapPasswords(draft, (value) => secrets.seal(value));
  }

  /**
   * Tasks saved before the registry had account fields kept `user:password@` in its URL: read
   * them as the fields (the password sealed as if stored so), so no URL carries them onwards.
   */
  function liftRegistryAccount(config: unknown): unknown {
    const registry = (config as { destination?: { schemaRegistry?: Record<string, unknown> } })
      ?.destination?.schemaRegistry;
    if (!registry || typeof registry.url !== 'string' || !URL.canParse(registry.url)) return config;
    const url = new URL(registry.url);
    if (url.username === '' && url.password === '') return config;
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    const destination = (config as { destination: Record<string, unknown> }).destination;
    return {
      ...(config as object),
      destination: {
        ...destination,
        schemaRegistry: {
          ...registry,
          url: url.href,
          ...(user === '' ? {} : { user }),
          ...(password === '' ? {} : { password: secrets.seal(password) }),
        },
      },
    };
  }

  /**
   * The sealed client key apart from the rest: the schema checks a key is PEM, which a sealed
   * one is not, so it is validated when entered and carried through as stored.
   */
  function setAsideClientKey(config: unknown): { config: unknown; sealedKey?: string } {
    const destination = (config as { destination?: { tls?: Record<string, unknown> } })
      ?.destination;
    const sealedKey = destination?.tls?.clientKey;
    if (typeof sealedKey !== 'string') return { config };
    const { clientKey: _sealed, ...tls } = destination!.tls!;
    return {
      config: { ...(config as object), destination: { ...destination, tls } },
      sealedKey,
    };
  }

  function parseStoredConfig(row: TaskRow): TaskConfig {
    const { config, sealedKey } = setAsideClientKey(liftRegistryAccount(row.config));
    const parsed = taskConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new TidewaterError(
        'TASK_CONFIG_CORRUPT',
        `The stored configuration of task ${row.id} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`,
        { category: 'internal', remedy: 'Create the task again; report this if it repeats.' },
      );
    }
    if (sealedKey === undefined) return parsed.data;
    const destination = parsed.data.destination;
    return {
      ...parsed.data,
      destination: { ...destination, tls: { ...destination.tls, clientKey: sealedKey } },
    };
  }

  function toView(row: TaskRow): TaskView {
    const config = parseStoredConfig(row);
    const { password: sourcePassword, ...source } = config.source;
    const { password: destinationPassword, schemaRegistry, ...destination } = config.destination;
    const { clientKey, ...tls } = destination.tls;
    const publicRegistry: PublicSchemaRegistry = schemaRegistry.enabled
      ? {
          enabled: true,
          url: maskUrl(schemaRegistry.url),
          ...(schemaRegistry.user === undefined ? {} : { user: schemaRegistry.user }),
          hasPassword: schemaRegistry.password !== undefined,
        }
      : schemaRegistry;
    const alerts = config.advanced.alerts;
    return {
      id: row.id,
      name: row.name,
      status: taskStatusSchema.parse(row.status),
      statusReason: row.statusReason,
      config: {
        ...config,
        source: { ...source, hasPassword: sourcePassword !== undefined },
        destination: {
          ...destination,
          schemaRegistry: publicRegistry,
          tls: { ...tls, hasClientKey: clientKey !== undefined },
          hasPassword: destinationPassword !== undefined,
        },
        advanced: {
          ...config.advanced,
          alerts: alerts.enabled ? { ...alerts, contacts: alerts.contacts.map(maskUrl) } : alerts,
        },
      },
      startedAt: row.startedAt?.toISOString() ?? null,
      termsAcceptance:
        row.termsAcceptedAt && row.termsAcceptedBy
          ? { by: row.termsAcceptedBy, at: row.termsAcceptedAt.toISOString() }
          : null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async function findRow(id: string): Promise<TaskRow> {
    const row = isUuid(id) ? await db.task.findUnique({ where: { id } }) : null;
    if (!row) {
      throw new TidewaterError('TASK_NOT_FOUND', `There is no task with id ${id}.`, {
        category: 'not_found',
        remedy: 'List the tasks (GET /api/tasks) and use one of their ids.',
      });
    }
    return row;
  }

  return withDatabaseErrors<TaskRepository>({
    async createTask(draft) {
      const name = draft.name ?? generateTaskName();
      const row = await db.task.create({
        data: {
          name,
          status: 'created',
          config: sealConfig({ ...draft, name }) as object,
          events: { create: { level: 'info', kind: 'created', message: `Task ${name} created.` } },
        },
      });
      return toView(row);
    },
    async listTasks(options) {
      const rows = await db.task.findMany({
        where: {
          status: options?.status ?? { not: 'released' },
          ...(options?.search
            ? { name: { contains: options.search, mode: 'insensitive' as const } }
            : {}),
        },
        orderBy: { createdAt: 'desc' },
        take: Math.min(options?.limit ?? 200, 1000),
      });
      return rows.map(toView);
    },
    async updateConfig(id, config) {
      await findRow(id);
      const row = await db.task.update({
        where: { id },
        data: { name: config.name ?? undefined, config: sealConfig(config) as object },
      });
      return toView(row);
    },
    async startTask(id, from, start) {
      // jsonb_set keeps the rest of the stored configuration (sealed passwords included) as it is.
      const count = await db.$executeRaw`
        UPDATE task SET
          status = 'running', status_reason = NULL, stage = NULL,
          started_at = ${start.at}, updated_at = ${start.at},
          terms_accepted_at = ${start.at}, terms_accepted_by = ${start.termsAcceptedBy},
          config = jsonb_set(config, '{instanceClass}', to_jsonb(${start.instanceClass}::text))
        WHERE id = ${id}::uuid AND status = ANY(${[...from]}::text[])`;
      return count === 1;
    },
    async getTask(id) {
      return toView(await findRow(id));
    },
    async readTaskConfig(id) {
      return mapPasswords(parseStoredConfig(await findRow(id)), (value) => secrets.open(value));
    },
    async setStatus(id, status, reason = null) {
      await db.task.update({ where: { id }, data: { status, statusReason: reason } });
    },
    async appendEvent(id, event) {
      await db.taskEvent.create({
        data: {
          taskId: id,
          level: event.level,
          kind: event.kind,
          message: event.message,
          data: event.data === undefined ? undefined : (event.data as object),
        },
      });
    },
    async listEvents(id, options) {
      await findRow(id);
      const rows = await db.taskEvent.findMany({
        where: { taskId: id },
        orderBy: { id: 'asc' },
        take: Math.min(options?.limit ?? 500, 5000),
      });
      return rows.map((row) => ({
        id: row.id.toString(),
        at: row.at.toISOString(),
        level: row.level as TaskEventLevel,
        kind: row.kind,
        message: row.message,
        data: row.data,
      }));
    },
  });
}

/** Ids are UUIDs: anything else names no task (and never reaches a query as a uuid cast). */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
