import { ignorePrecheckItem } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** POST /api/tasks/:id/precheck/items/:key/ignore { isIgnored?: boolean }: accept a failed item. */
export const POST = apiRoute(async ({ engine, params, optionalJson }) => {
  const body = await optionalJson();
  return {
    precheck: await ignorePrecheckItem(
      engine,
      params.id ?? '',
      decodeURIComponent(params.key ?? ''),
      body,
    ),
  };
});
