import { destinationSchema, sourceSchema } from '@tidewater/config';
import { invalidInput, probeDestination, probeSource } from '@tidewater/engine';
import { TidewaterError } from '@tidewater/errors';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/**
 * POST /api/tasks/:id/connectivity/{source|destination}: "Test Connectivity" for a saved
 * draft. Like POST /api/connectivity/*, but an absent password means the stored one, so an
 * operator editing a task (whose passwords are never sent back) can test without retyping it.
 */
export const POST = apiRoute(async ({ engine, params, json }) => {
  const body = await json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TidewaterError('INVALID_INPUT', 'The request body must be a JSON object.', {
      category: 'invalid_input',
      remedy: 'Send the source or destination settings as a JSON object.',
    });
  }
  const stored = await engine.tasks.readTaskConfig(params.id ?? '');
  switch (params.side) {
    case 'source': {
      const parsed = sourceSchema.safeParse({ password: stored.source.password, ...body });
      if (!parsed.success) throw invalidInput(parsed.error);
      return probeSource(parsed.data);
    }
    case 'destination': {
      const parsed = destinationSchema.safeParse({
        password: stored.destination.password,
        ...body,
      });
      if (!parsed.success) throw invalidInput(parsed.error);
      return probeDestination(parsed.data);
    }
    default:
      throw new TidewaterError('NOT_FOUND', `There is no connectivity test for "${params.side}".`, {
        category: 'not_found',
        remedy: 'Use /connectivity/source or /connectivity/destination.',
      });
  }
});
