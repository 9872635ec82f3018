import { listSourceObjects } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/tasks/:id/source-objects: databases and tables of the task's source, with estimates. */
export const GET = apiRoute(async ({ engine, params }) =>
  listSourceObjects(engine, params.id ?? ''),
);
