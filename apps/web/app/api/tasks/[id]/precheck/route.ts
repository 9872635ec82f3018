import { getPrecheck, runPrecheck } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/tasks/:id/precheck: the items of the last precheck and the success rate. */
export const GET = apiRoute(async ({ engine, params }) => ({
  precheck: await getPrecheck(engine, params.id ?? ''),
}));

/** POST /api/tasks/:id/precheck: run the precheck (again). */
export const POST = apiRoute(
  async ({ engine, params }) => ({ precheck: await runPrecheck(engine, params.id ?? '') }),
  {
    status: 202,
  },
);
