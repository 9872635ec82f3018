import { testStoredDestinationConnectivity, testStoredSourceConnectivity } from '@tidewater/engine';
import { TidewaterError } from '@tidewater/errors';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/**
 * POST /api/tasks/:id/connectivity/{source|destination}: "Test Connectivity" for a saved
 * draft. Like POST /api/connectivity/*, but an absent password means the stored one, so an
 * operator editing a task (whose passwords are never sent back) can test without retyping it,
 * as long as host, port, account and TLS settings are those it was saved with; otherwise 400
 * PASSWORD_REQUIRED (a stored password only goes to the server it was entered for).
 */
export const POST = apiRoute(async ({ engine, params, json }) => {
  const id = params.id ?? '';
  switch (params.side) {
    case 'source':
      return testStoredSourceConnectivity(engine, id, await json());
    case 'destination':
      return testStoredDestinationConnectivity(engine, id, await json());
    default:
      throw new TidewaterError('NOT_FOUND', `There is no connectivity test for "${params.side}".`, {
        category: 'not_found',
        remedy: 'Use /connectivity/source or /connectivity/destination.',
      });
  }
});
