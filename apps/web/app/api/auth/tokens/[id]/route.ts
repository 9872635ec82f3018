import { apiRoute } from '@/lib/api-route';
import { operators, signedIn } from '@/lib/auth';

export const dynamic = 'force-dynamic';

/** DELETE /api/auth/tokens/:id: revokes one of the caller's API tokens. */
export const DELETE = apiRoute(async ({ principal, params }) => {
  await operators().revokeApiToken(signedIn(principal).operator.id, params.id ?? '');
  return { isRevoked: true };
});
