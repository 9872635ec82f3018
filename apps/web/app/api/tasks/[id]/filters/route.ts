import { validateFilter } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** POST /api/tasks/:id/filters { database, table, filter }: is this WHERE filter valid on that table? */
export const POST = apiRoute(async ({ engine, params, json }) =>
  validateFilter(engine, params.id ?? '', await json()),
);
