import { testDestinationConnectivity } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** POST /api/connectivity/destination { hosts, port, …, topic }: try Kafka; returns its topics. */
export const POST = apiRoute(async ({ json }) => testDestinationConnectivity(await json()));
