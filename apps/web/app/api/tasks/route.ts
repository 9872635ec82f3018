import { TASK_STATUSES, type TaskStatus } from '@tidewater/config';
import { createTask, listTasks } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { TASK_CONFIG_BODY_LIMIT_BYTES } from '@/lib/body-limit';

export const dynamic = 'force-dynamic';

/** GET /api/tasks?status=&search=: tasks with progress, newest first (released ones only on request). */
export const GET = apiRoute(async ({ engine, request }) => {
  const status = request.nextUrl.searchParams.get('status');
  const search = request.nextUrl.searchParams.get('search')?.trim();
  const filter = {
    ...(status && (TASK_STATUSES as readonly string[]).includes(status)
      ? { status: status as TaskStatus }
      : {}),
    ...(search ? { search } : {}),
  };
  return { tasks: await listTasks(engine, filter) };
});

/** POST /api/tasks: save a new task (a draft until it is started). */
export const POST = apiRoute(
  async ({ engine, json }) => ({ task: await createTask(engine, await json()) }),
  { status: 201, maxBodyBytes: TASK_CONFIG_BODY_LIMIT_BYTES },
);
