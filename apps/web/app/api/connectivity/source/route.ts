import { testSourceConnectivity } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** POST /api/connectivity/source { type, host, port, user, password, tls }: try the source. */
export const POST = apiRoute(async ({ json }) => testSourceConnectivity(await json()));
