import {
  configWarnings,
  keepStoredTaskSecrets,
  taskConfigSchema,
  withoutSecrets,
  type TaskConfig,
  type TaskStatus,
} from '@tidewater/config';
import {
  ignorePrecheckItemSchema,
  restartTaskSchema,
  startTaskSchema,
  type PrecheckItemView,
  type PrecheckReport,
  type TaskDetails,
  type TaskSummary,
} from '@tidewater/config/api';
import type { TaskView } from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import type { EngineContext } from './context';
import { publishControl, type ControlAction } from './control';
import { enqueuePrecheck, enqueueRun } from './queues';
import { allowedFrom, nextStatus, operatorActions, type TaskAction } from './task-state';
import { invalidInput, requireObject } from './validation';

/**
 * What the API and the CLI can do with a task. Every status change goes through `transition`,
 * which applies the state machine against the stored status atomically.
 */

export type { PrecheckReport, TaskDetails, TaskSummary } from '@tidewater/config/api';

export async function createTask(context: EngineContext, body: unknown): Promise<TaskSummary> {
  const parsed = taskConfigSchema.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const task = await context.tasks.createTask(parsed.data);
  return summarize(context, task);
}

/**
 * Updates a draft: top-level keys replace the stored ones, `source` and `destination` merge
 * one level deep, and an absent password keeps the stored one while its endpoint is unchanged
 * (else PASSWORD_REQUIRED). The result is validated whole (unknown fields included) before
 * anything is written. Editing invalidates a finished precheck.
 */
export async function updateTask(
  context: EngineContext,
  id: string,
  body: unknown,
): Promise<TaskSummary> {
  const current = await context.tasks.getTask(id);
  const patch = requireObject(body, 'the fields to change');
  nextStatus(current.status, 'edit');
  const stored = await context.tasks.readTaskConfig(id);
  // Merged over the stored settings without their passwords: `keepStoredTaskSecrets` puts a
  // stored password back only where the endpoint it was saved for is unchanged.
  const base = withoutSecrets(stored);
  const merged = {
    ...base,
    ...patch,
    source: mergeSection(base.source, patch.source, 'source'),
    destination: mergeSection(base.destination, patch.destination, 'destination'),
  };
  const parsed = taskConfigSchema.safeParse(merged);
  if (!parsed.success) throw invalidInput(parsed.error);
  const config = keepStoredTaskSecrets(stored, parsed.data);
  await transition(context, id, 'edit');
  const task = await context.tasks.updateConfig(id, config);
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'edited',
    message: 'Configuration saved.',
  });
  return summarize(context, task);
}

/** A section of a patch over the stored one; anything but an object is a 400 naming it. */
function mergeSection<T extends object>(stored: T, patch: unknown, path: string): T {
  if (patch === undefined) return stored;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    const message = `Send the ${path} settings to change as an object.`;
    throw new TidewaterError('INVALID_INPUT', `${path}: ${message}`, {
      category: 'invalid_input',
      remedy: `Send "${path}" as an object holding the fields to change.`,
      details: { problems: [{ path, message }] },
    });
  }
  return { ...stored, ...patch };
}

export async function listTasks(
  context: EngineContext,
  filter: { status?: TaskStatus; search?: string } = {},
): Promise<TaskSummary[]> {
  const tasks = await context.tasks.listTasks(filter);
  return Promise.all(tasks.map((task) => summarize(context, task)));
}

export async function getTask(context: EngineContext, id: string): Promise<TaskSummary> {
  return summarize(context, await context.tasks.getTask(id));
}

export async function getTaskDetails(context: EngineContext, id: string): Promise<TaskDetails> {
  const summary = await getTask(context, id);
  const [tables, precheck, metricHistory, events, alerts] = await Promise.all([
    context.runs.listTableProgress(id),
    getPrecheck(context, id),
    context.runs.listMetricSamples(id, new Date(Date.now() - 60 * 60 * 1000)),
    context.tasks.listEvents(id),
    context.runs.listAlerts(id),
  ]);
  return { ...summary, tables, precheck, metricHistory, events, alerts };
}

export async function runPrecheck(context: EngineContext, id: string): Promise<PrecheckReport> {
  const config = await context.tasks.readTaskConfig(id);
  if (config.objects.length === 0) {
    throw new TidewaterError(
      'TASK_NO_OBJECTS',
      'Select at least one database or table to migrate.',
      {
        category: 'invalid_input',
        remedy: 'Add objects to the task (the "objects" field) and run the precheck again.',
      },
    );
  }
  await transition(context, id, 'precheck');
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'precheck_queued',
    message: 'Precheck queued.',
  });
  await enqueuePrecheck(context.queues, id);
  return getPrecheck(context, id);
}

export async function getPrecheck(context: EngineContext, id: string): Promise<PrecheckReport> {
  await context.tasks.getTask(id);
  const items = await context.runs.listPrecheckItems(id);
  return precheckReport(items);
}

export function precheckReport(items: PrecheckItemView[]): PrecheckReport {
  const isSuccess = (item: PrecheckItemView) =>
    item.status === 'pass' ||
    item.status === 'warning' ||
    (item.status === 'fail' && item.isIgnored);
  const done = items.filter((item) => item.status !== 'pending' && item.status !== 'running');
  return {
    items,
    successRate:
      items.length === 0 ? 0 : Math.floor((items.filter(isSuccess).length / items.length) * 100),
    isComplete: items.length > 0 && done.length === items.length,
  };
}

const ignoreBody = ignorePrecheckItemSchema;

/**
 * Ignores (or un-ignores) a failed item the operator accepts. When the precheck has finished
 * and every item now counts as a success, the task becomes precheck passed.
 */
export async function ignorePrecheckItem(
  context: EngineContext,
  id: string,
  key: string,
  body: unknown,
): Promise<PrecheckReport> {
  const task = await context.tasks.getTask(id);
  const parsed = ignoreBody.safeParse(body ?? {});
  if (!parsed.success) throw invalidInput(parsed.error);
  if (task.status !== 'precheck_failed' && task.status !== 'precheck_passed') {
    throw new TidewaterError(
      'TASK_STATE_CONFLICT',
      'Items can be ignored once the precheck has finished.',
      {
        category: 'conflict',
        remedy: 'Wait for the precheck to finish, then ignore the failed items you accept.',
      },
    );
  }
  const item = await context.runs.setPrecheckItemIgnored(id, key, parsed.data.isIgnored);
  await context.tasks.appendEvent(id, {
    level: 'warning',
    kind: parsed.data.isIgnored ? 'precheck_item_ignored' : 'precheck_item_unignored',
    message: `${parsed.data.isIgnored ? 'Ignored' : 'No longer ignoring'} precheck item "${item.name}".`,
  });
  const report = await getPrecheck(context, id);
  if (report.isComplete) {
    const to: TaskStatus = report.successRate === 100 ? 'precheck_passed' : 'precheck_failed';
    await context.runs.compareAndSetStatus(id, ['precheck_failed', 'precheck_passed'], to);
  }
  return report;
}

const startBody = startTaskSchema;

const PRECHECK_STATUSES: ReadonlySet<TaskStatus> = new Set<TaskStatus>([
  'created',
  'prechecking',
  'precheck_failed',
  'precheck_passed',
]);

/** Who is acting: the signed-in operator (by session or API token). */
export interface Actor {
  username: string;
}

/**
 * "Buy and start": needs the terms accepted; fixes the instance class, records the acceptance
 * (who, when) and queues the task's run. Everything is checked first — the task, the body, the
 * terms, the state, the precheck — and then written in one guarded statement, so a refused
 * start writes nothing.
 */
export async function startTask(
  context: EngineContext,
  id: string,
  body: unknown,
  actor: Actor,
): Promise<TaskSummary> {
  const task = await context.tasks.getTask(id);
  const parsed = startBody.safeParse(body ?? {});
  if (!parsed.success) throw invalidInput(parsed.error);
  if (parsed.data.acceptTerms !== true) throw termsNotAccepted();
  const { instanceClass } = parsed.data;
  // Before its start, what stands in a task's way is its precheck; after it, its state.
  if (!PRECHECK_STATUSES.has(task.status)) nextStatus(task.status, 'start');
  const report = await getPrecheck(context, id);
  if (task.status !== 'precheck_passed' || !report.isComplete || report.successRate < 100) {
    throw new TidewaterError(
      'PRECHECK_NOT_PASSED',
      task.status === 'created'
        ? 'The task has not passed a precheck since it was saved; a task starts once it has.'
        : task.status === 'prechecking'
          ? 'The precheck is still running; a task starts once it has passed.'
          : `The precheck success rate is ${report.successRate}%; a task starts at 100%.`,
      {
        category: 'conflict',
        remedy:
          'Fix the failed precheck items (or ignore those that may be ignored) and run the precheck again.',
      },
    );
  }
  const at = new Date();
  const isStarted = await context.tasks.startTask(id, allowedFrom('start'), {
    instanceClass,
    termsAcceptedBy: actor.username,
    at,
  });
  if (!isStarted) {
    // Another request changed the task since it was read: say what it is now.
    nextStatus((await context.tasks.getTask(id)).status, 'start');
    throw new TidewaterError('TASK_STATE_CONFLICT', 'The task changed while it was starting.', {
      category: 'conflict',
      remedy: 'Read the task again and retry if it still makes sense.',
    });
  }
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'started',
    message: `Task started with instance class ${instanceClass}; terms accepted by ${actor.username}.`,
    data: { instanceClass, termsAcceptedBy: actor.username, termsAcceptedAt: at.toISOString() },
  });
  await enqueueRun(context.queues, id);
  return getTask(context, id);
}

function termsNotAccepted(): TidewaterError {
  const message = 'Accept the terms of service to start the task.';
  return new TidewaterError('TERMS_NOT_ACCEPTED', message, {
    category: 'invalid_input',
    remedy:
      'Read the Tidewater Terms of Service and send "acceptTerms": true (in the console, tick the terms box; with the CLI, add --accept-terms or answer the question).',
    details: { problems: [{ path: 'acceptTerms', message }] },
  });
}

export async function pauseTask(context: EngineContext, id: string): Promise<TaskSummary> {
  await transition(context, id, 'pause');
  await signalWorker(context, id, 'pause');
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'paused',
    message: 'Task paused by the operator.',
  });
  return getTask(context, id);
}

export async function resumeTask(context: EngineContext, id: string): Promise<TaskSummary> {
  await transition(context, id, 'resume');
  await context.tasks.appendEvent(id, { level: 'info', kind: 'resumed', message: 'Task resumed.' });
  await enqueueRun(context.queues, id);
  return getTask(context, id);
}

/** Ends incremental migration: the worker checkpoints and stops; the task is completed. */
export async function stopTask(context: EngineContext, id: string): Promise<TaskSummary> {
  await transition(context, id, 'stop');
  await signalWorker(context, id, 'stop');
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'stopped',
    message: 'Task stopped by the operator.',
  });
  return getTask(context, id);
}

const restartBody = restartTaskSchema;

export async function restartTask(
  context: EngineContext,
  id: string,
  body: unknown,
): Promise<TaskSummary> {
  await context.tasks.getTask(id);
  const parsed = restartBody.safeParse(body ?? {});
  if (!parsed.success) throw invalidInput(parsed.error);
  await transition(context, id, 'restart');
  if (parsed.data.fromScratch) await context.runs.clearCheckpoint(id);
  await context.runs.clearRetrying(id);
  await context.runs.clearAlerts(id, 'task_failed');
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'restarted',
    message: parsed.data.fromScratch
      ? 'Task restarted with a fresh full migration from a new snapshot position.'
      : 'Task restarted from its checkpoint.',
  });
  await enqueueRun(context.queues, id);
  return getTask(context, id);
}

export async function releaseTask(context: EngineContext, id: string): Promise<TaskSummary> {
  await transition(context, id, 'release');
  await signalWorker(context, id, 'release');
  await context.tasks.appendEvent(id, {
    level: 'info',
    kind: 'released',
    message: 'Task released.',
  });
  return getTask(context, id);
}

async function signalWorker(
  context: EngineContext,
  id: string,
  action: ControlAction,
): Promise<void> {
  await publishControl(context.redis, context.environment.TIDEWATER_QUEUE_PREFIX, {
    taskId: id,
    action,
  });
}

/** Applies a state machine action to the stored status; a concurrent change is a clear 409. */
export async function transition(
  context: EngineContext,
  id: string,
  action: TaskAction,
  fields: { statusReason?: string | null; stage?: string | null; startedAt?: Date } = {},
): Promise<TaskStatus> {
  const task = await context.tasks.getTask(id);
  const to = nextStatus(task.status, action);
  const isApplied = await context.runs.compareAndSetStatus(id, allowedFrom(action), to, fields);
  if (!isApplied) {
    const now = await context.tasks.getTask(id);
    nextStatus(now.status, action);
  }
  return to;
}

async function summarize(context: EngineContext, task: TaskView): Promise<TaskSummary> {
  const [run, tables, metrics] = await Promise.all([
    context.runs.readRunState(task.id),
    context.runs.listTableProgress(task.id),
    context.runs.listMetricSamples(task.id, new Date(Date.now() - 30_000)),
  ]);
  const rowsDone = tables.reduce((sum, table) => sum + table.rowsDone, 0);
  const rowsEstimated = tables.reduce(
    (sum, table) => sum + Math.max(table.rowsEstimated, table.rowsDone),
    0,
  );
  const allDone = tables.length > 0 && tables.every((table) => table.isDone);
  const latest = metrics.at(-1);
  const isRunning = task.status === 'running';
  return {
    ...task,
    stage: run.stage,
    actions: operatorActions(task.status),
    progress: {
      percent:
        tables.length === 0
          ? null
          : allDone
            ? 100
            : rowsEstimated === 0
              ? 0
              : Math.min(99, Math.floor((rowsDone / rowsEstimated) * 100)),
      rowsDone,
      rowsEstimated,
    },
    metrics:
      isRunning && latest
        ? {
            recordsPerSecond: latest.recordsPerSecond,
            bytesPerSecond: latest.bytesPerSecond,
            latencyMs: latest.latencyMs,
          }
        : null,
    retrying:
      isRunning && run.retryingSince && run.lastError
        ? { since: run.retryingSince.toISOString(), lastError: run.lastError }
        : null,
    warnings: configWarnings(task.config as unknown as TaskConfig),
  };
}
