import { getTask } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/tasks/:id: one task with its event log. */
export const GET = apiRoute(async ({ engine, params }) => {
  const id = params.id ?? '';
  const task = await getTask(engine, id);
  const events = await engine.tasks.listEvents(id);
  return { task, events };
});
