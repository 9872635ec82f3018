import { taskConfigSchema, type TaskConfig } from '@tidewater/config';
import type { TaskView } from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import type { EngineContext } from './context';
import { invalidInput } from './validation';

/** Creates a task from an API body and queues its connectivity check. */
export async function createTask(context: EngineContext, body: unknown): Promise<TaskView> {
  const parsed = taskConfigSchema.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const task = await context.tasks.createTask(parsed.data satisfies TaskConfig);
  await context.queues.precheck.add(
    'precheck',
    { taskId: task.id },
    { jobId: `precheck-${task.id}` },
  );
  return task;
}

export async function getTask(context: EngineContext, id: string): Promise<TaskView> {
  return context.tasks.getTask(id);
}

export async function listTasks(context: EngineContext): Promise<TaskView[]> {
  return context.tasks.listTasks();
}

export function assertNever(value: never): never {
  throw new TidewaterError('INTERNAL', `Unexpected value ${String(value)}.`, {
    category: 'internal',
    remedy: 'Report this as a bug.',
  });
}
