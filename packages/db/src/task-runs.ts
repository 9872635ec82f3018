import type { TaskStatus } from '@tidewater/config';
import type {
  AlertView,
  MetricSampleView,
  PrecheckItemStatus as PrecheckStatus,
  PrecheckItemView,
  TableProgressView,
} from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';
import type { Database } from './client';
import { withDatabaseErrors } from './database-errors';
import { Prisma } from './generated/client';

/**
 * What the engine writes while a task runs: guarded status changes, precheck items,
 * checkpoints fenced by the run epoch, per-table progress, metric samples and alerts.
 */

export type {
  PrecheckItemStatus as PrecheckStatus,
  PrecheckItemView,
  TableProgressView,
  MetricSampleView,
  AlertView,
} from '@tidewater/config/api';

export interface CheckpointState {
  position: unknown;
  /** The table definitions at `position` (from its version, or inline in older checkpoints). */
  schemaHistory: unknown;
  /** The schema history version `position` references; null for older checkpoints. */
  schemaHistoryId: string | null;
  snapshot: unknown;
  updatedAt: string;
}

/** Thrown when a worker writes with an epoch that another worker has replaced. */
export function leaseLost(taskId: string): TidewaterError {
  return new TidewaterError('TASK_LEASE_LOST', `Another worker has taken task ${taskId} over.`, {
    category: 'conflict',
    remedy: 'Nothing to do: the other worker continues from the last checkpoint.',
  });
}

export function createRunRepository(db: Database) {
  return withDatabaseErrors({
    /** Sets the status only when the task is in one of `from`; returns whether it did. */
    async compareAndSetStatus(
      taskId: string,
      from: readonly TaskStatus[],
      to: TaskStatus,
      fields: { statusReason?: string | null; stage?: string | null; startedAt?: Date } = {},
    ): Promise<boolean> {
      const result = await db.task.updateMany({
        where: { id: taskId, status: { in: [...from] } },
        data: {
          status: to,
          statusReason: fields.statusReason ?? null,
          ...pick(fields, ['stage', 'startedAt']),
        },
      });
      return result.count === 1;
    },

    async readRunState(taskId: string) {
      return db.task.findUniqueOrThrow({
        where: { id: taskId },
        select: { status: true, stage: true, runEpoch: true, retryingSince: true, lastError: true },
      });
    },

    /** The ids of the tasks whose status is `running` (the reconciler's one query). */
    async listRunningTaskIds(): Promise<string[]> {
      const rows = await db.task.findMany({
        where: { status: 'running' satisfies TaskStatus },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return rows.map((row) => row.id);
    },

    /** A worker takes the task: its epoch fences every later write of the previous holder. */
    async takeOver(taskId: string): Promise<number> {
      const task = await db.task.update({
        where: { id: taskId },
        data: { runEpoch: { increment: 1 } },
        select: { runEpoch: true },
      });
      return task.runEpoch;
    },

    async setStage(taskId: string, epoch: number, stage: string): Promise<void> {
      const result = await db.task.updateMany({
        where: { id: taskId, runEpoch: epoch },
        data: { stage },
      });
      if (result.count !== 1) throw leaseLost(taskId);
    },

    /** Records a failed connection being retried; the first failure's time is kept. */
    async markRetrying(taskId: string, lastError: string): Promise<void> {
      await db.$executeRaw`
        UPDATE task SET last_error = ${lastError}, retrying_since = COALESCE(retrying_since, now())
        WHERE id = ${taskId}::uuid`;
    },

    async clearRetrying(taskId: string): Promise<void> {
      await db.task.update({
        where: { id: taskId },
        data: { retryingSince: null, lastError: null },
      });
    },

    // Precheck items ------------------------------------------------------------------------

    /** Starts a precheck run: the new item list replaces the old, keeping what was ignored. */
    async resetPrecheckItems(
      taskId: string,
      items: Array<{ key: string; name: string; isIgnorable: boolean }>,
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        const ignored = new Set(
          (
            await tx.precheckItem.findMany({
              where: { taskId, isIgnored: true },
              select: { key: true },
            })
          ).map((item) => item.key),
        );
        await tx.precheckItem.deleteMany({ where: { taskId } });
        await tx.precheckItem.createMany({
          data: items.map((item, position) => ({
            taskId,
            key: item.key,
            name: item.name,
            position,
            status: 'pending',
            isIgnorable: item.isIgnorable,
            isIgnored: item.isIgnorable && ignored.has(item.key),
          })),
        });
      });
    },

    async finishPrecheckItem(
      taskId: string,
      key: string,
      result: { status: PrecheckStatus; message: string; remedy: string },
    ): Promise<void> {
      await db.precheckItem.update({
        where: { taskId_key: { taskId, key } },
        data: { ...result, finishedAt: new Date() },
      });
    },

    async listPrecheckItems(taskId: string): Promise<PrecheckItemView[]> {
      const rows = await db.precheckItem.findMany({
        where: { taskId },
        orderBy: { position: 'asc' },
      });
      return rows.map((row) => ({
        key: row.key,
        name: row.name,
        position: row.position,
        status: row.status as PrecheckStatus,
        message: row.message,
        remedy: row.remedy,
        isIgnorable: row.isIgnorable,
        isIgnored: row.isIgnored,
        finishedAt: row.finishedAt?.toISOString() ?? null,
      }));
    },

    async setPrecheckItemIgnored(
      taskId: string,
      key: string,
      isIgnored: boolean,
    ): Promise<PrecheckItemView> {
      const item = await db.precheckItem.findUnique({ where: { taskId_key: { taskId, key } } });
      if (!item) {
        throw new TidewaterError('PRECHECK_ITEM_NOT_FOUND', `The precheck has no item "${key}".`, {
          category: 'not_found',
          remedy:
            'Read the precheck items (GET /api/tasks/{id}/precheck) and use one of their keys.',
        });
      }
      if (isIgnored && item.status !== 'fail') {
        throw new TidewaterError(
          'PRECHECK_ITEM_NOT_FAILED',
          `"${item.name}" did not fail; there is nothing to ignore.`,
          {
            category: 'conflict',
            remedy: 'Only failed items can be ignored.',
          },
        );
      }
      if (!item.isIgnorable) {
        throw new TidewaterError(
          'PRECHECK_ITEM_NOT_IGNORABLE',
          `"${item.name}" cannot be ignored.`,
          {
            category: 'conflict',
            remedy: `Fix the cause instead: ${item.remedy || 'see the item message'}`,
          },
        );
      }
      await db.precheckItem.update({ where: { id: item.id }, data: { isIgnored } });
      return (await this.listPrecheckItems(taskId)).find((row) => row.key === key)!;
    },

    // Checkpoints and progress ---------------------------------------------------------------

    async readCheckpoint(taskId: string): Promise<CheckpointState | null> {
      const row = await db.checkpoint.findUnique({ where: { taskId } });
      if (!row) return null;
      const version =
        row.schemaHistoryId === null
          ? null
          : await db.schemaHistory.findUnique({ where: { id: row.schemaHistoryId } });
      return {
        position: row.position,
        schemaHistory: version?.history ?? row.schemaHistory,
        schemaHistoryId: row.schemaHistoryId?.toString() ?? null,
        snapshot: row.snapshot,
        updatedAt: row.updatedAt.toISOString(),
      };
    },

    /**
     * Stores a new version of the task's table definitions (fenced by `epoch`) and returns its
     * id, for checkpoints to reference. Called only when a DDL changed the definitions.
     */
    async saveSchemaHistory(taskId: string, epoch: number, history: unknown): Promise<string> {
      return db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<Array<{ run_epoch: number }>>`
          SELECT run_epoch FROM task WHERE id = ${taskId}::uuid FOR SHARE`;
        if (locked[0]?.run_epoch !== epoch) throw leaseLost(taskId);
        const version = await tx.schemaHistory.create({
          data: { taskId, history: history as object },
          select: { id: true },
        });
        return version.id.toString();
      });
    },

    /** How many schema history versions the task holds (at most two are kept). */
    async countSchemaHistories(taskId: string): Promise<number> {
      return db.schemaHistory.count({ where: { taskId } });
    },

    /**
     * Writes a checkpoint and the progress of the tables it covers in one transaction, only
     * if `epoch` is still the task's: a worker that lost the task cannot move it backwards.
     * A binlog checkpoint references its schema history version (`schemaHistoryId`); versions
     * older than the one referenced are pruned in the same transaction.
     */
    async writeCheckpoint(
      taskId: string,
      epoch: number,
      checkpoint: {
        position?: unknown;
        schemaHistoryId?: string;
        snapshot?: unknown;
      },
      tables: Array<{
        database: string;
        table: string;
        rowsDone: number;
        isDone: boolean;
        /** The key of the last acknowledged row read by key (JSON array); null for none. */
        lastKey?: unknown;
      }> = [],
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<Array<{ run_epoch: number }>>`
          SELECT run_epoch FROM task WHERE id = ${taskId}::uuid FOR UPDATE`;
        if (locked[0]?.run_epoch !== epoch) throw leaseLost(taskId);
        const historyId =
          checkpoint.schemaHistoryId === undefined ? undefined : BigInt(checkpoint.schemaHistoryId);
        const data = {
          ...(checkpoint.position !== undefined ? { position: json(checkpoint.position) } : {}),
          ...(historyId !== undefined
            ? { schemaHistoryId: historyId, schemaHistory: Prisma.DbNull }
            : {}),
          ...(checkpoint.snapshot !== undefined ? { snapshot: json(checkpoint.snapshot) } : {}),
        };
        await tx.checkpoint.upsert({
          where: { taskId },
          create: { taskId, ...data },
          update: data,
        });
        if (historyId !== undefined) {
          await tx.schemaHistory.deleteMany({ where: { taskId, id: { lt: historyId } } });
        }
        for (const table of tables) {
          await tx.tableProgress.update({
            where: {
              taskId_database_table: { taskId, database: table.database, table: table.table },
            },
            data: {
              rowsDone: BigInt(table.rowsDone),
              isDone: table.isDone,
              ...(table.lastKey === undefined ? {} : { lastKey: json(table.lastKey) }),
            },
          });
        }
      });
    },

    /** Forgets every checkpoint: the next run starts with a fresh snapshot. */
    async clearCheckpoint(taskId: string): Promise<void> {
      await db.$transaction([
        db.checkpoint.deleteMany({ where: { taskId } }),
        db.schemaHistory.deleteMany({ where: { taskId } }),
        db.tableProgress.deleteMany({ where: { taskId } }),
      ]);
    },

    async planTables(
      taskId: string,
      tables: Array<{ database: string; table: string; rowsEstimated: number }>,
    ): Promise<void> {
      await db.$transaction(
        tables.map((table) =>
          db.tableProgress.upsert({
            where: {
              taskId_database_table: { taskId, database: table.database, table: table.table },
            },
            create: {
              taskId,
              database: table.database,
              table: table.table,
              rowsEstimated: BigInt(table.rowsEstimated),
            },
            update: { rowsEstimated: BigInt(table.rowsEstimated) },
          }),
        ),
      );
    },

    async listTableProgress(taskId: string): Promise<TableProgressView[]> {
      const rows = await db.tableProgress.findMany({
        where: { taskId },
        orderBy: [{ database: 'asc' }, { table: 'asc' }],
      });
      return rows.map((row) => ({
        database: row.database,
        table: row.table,
        rowsDone: Number(row.rowsDone),
        rowsEstimated: Number(row.rowsEstimated),
        lastKey: row.lastKey,
        isDone: row.isDone,
      }));
    },

    // Metrics --------------------------------------------------------------------------------

    async appendMetricSample(
      taskId: string,
      sample: {
        stage: string;
        recordsPerSecond: number;
        bytesPerSecond: number;
        latencyMs: number | null;
      },
    ): Promise<void> {
      await db.metricSample.create({ data: { taskId, ...sample } });
    },

    async listMetricSamples(taskId: string, since: Date): Promise<MetricSampleView[]> {
      const rows = await db.metricSample.findMany({
        where: { taskId, at: { gte: since } },
        orderBy: { at: 'asc' },
        take: 2000,
      });
      return rows.map((row) => ({
        at: row.at.toISOString(),
        stage: row.stage,
        recordsPerSecond: row.recordsPerSecond,
        bytesPerSecond: row.bytesPerSecond,
        latencyMs: row.latencyMs,
      }));
    },

    async pruneMetricSamples(olderThan: Date): Promise<void> {
      await db.metricSample.deleteMany({ where: { at: { lt: olderThan } } });
    },

    // Alerts ---------------------------------------------------------------------------------

    /** Opens an alert unless one of this kind is already open; returns the new one, or null. */
    async openAlert(taskId: string, kind: string, message: string): Promise<AlertView | null> {
      return db.$transaction(async (tx) => {
        const open = await tx.alert.findFirst({ where: { taskId, kind, clearedAt: null } });
        if (open) return null;
        return toAlertView(await tx.alert.create({ data: { taskId, kind, message } }));
      });
    },

    /**
     * Clears the open alerts of this kind; returns the ones this call cleared (one UPDATE, so
     * two callers never both report the same alert cleared).
     */
    async clearAlerts(taskId: string, kind: string): Promise<AlertView[]> {
      const rows = await db.alert.updateManyAndReturn({
        where: { taskId, kind, clearedAt: null },
        data: { clearedAt: new Date() },
      });
      return rows.map(toAlertView);
    },

    async recordAlertDelivery(alertId: string, error: string | null): Promise<void> {
      await db.alert.update({
        where: { id: BigInt(alertId) },
        data:
          error === null
            ? { deliveredAt: new Date(), deliveryError: null }
            : { deliveryError: error },
      });
    },

    async listAlerts(taskId: string): Promise<AlertView[]> {
      const rows = await db.alert.findMany({
        where: { taskId },
        orderBy: { id: 'desc' },
        take: 200,
      });
      return rows.map(toAlertView);
    },
  });
}

export type RunRepository = ReturnType<typeof createRunRepository>;

function toAlertView(row: {
  id: bigint;
  kind: string;
  message: string;
  openedAt: Date;
  clearedAt: Date | null;
  deliveredAt: Date | null;
  deliveryError: string | null;
}): AlertView {
  return {
    id: row.id.toString(),
    kind: row.kind,
    message: row.message,
    openedAt: row.openedAt.toISOString(),
    clearedAt: row.clearedAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    deliveryError: row.deliveryError,
  };
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): Partial<Pick<T, K>> {
  const result: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined) result[key] = object[key];
  return result;
}

/** JSON columns take plain JSON (the caller converts bigint and Buffer); null is SQL NULL. */
function json(value: unknown): object | typeof Prisma.DbNull {
  return value === null || value === undefined ? Prisma.DbNull : (value as object);
}
