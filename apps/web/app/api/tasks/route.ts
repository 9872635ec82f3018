import { createTask, listTasks } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/tasks: the tasks, newest first (released tasks are not listed). */
export const GET = apiRoute(async ({ engine }) => ({ tasks: await listTasks(engine) }));

/** POST /api/tasks: create a task from a configuration and queue its precheck. */
export const POST = apiRoute(
  async ({ engine, json }) => ({ task: await createTask(engine, await json()) }),
  {
    status: 201,
  },
);
