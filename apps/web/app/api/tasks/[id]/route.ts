import { getTaskDetails, updateTask } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { TASK_CONFIG_BODY_LIMIT_BYTES } from '@/lib/body-limit';

export const dynamic = 'force-dynamic';

/** GET /api/tasks/:id: the task with its stages, table progress, precheck, metrics, events, alerts. */
export const GET = apiRoute(async ({ engine, params }) => ({
  task: await getTaskDetails(engine, params.id ?? ''),
}));

/** PATCH /api/tasks/:id: change a draft; absent passwords are kept. */
export const PATCH = apiRoute(
  async ({ engine, params, json }) => ({
    task: await updateTask(engine, params.id ?? '', await json()),
  }),
  { maxBodyBytes: TASK_CONFIG_BODY_LIMIT_BYTES },
);
