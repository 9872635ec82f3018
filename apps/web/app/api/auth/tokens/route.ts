import { invalidInput } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { operators, signedIn } from '@/lib/auth';
import { apiTokenSchema } from '@tidewater/config/api';

export const dynamic = 'force-dynamic';

/**
 * GET /api/auth/tokens: the caller's API tokens that are not revoked (names, prefixes, last
 * use and expiry; never the secrets).
 */
export const GET = apiRoute(async ({ principal }) => ({
  tokens: await operators().listApiTokens(signedIn(principal).operator.id),
}));

/**
 * POST /api/auth/tokens { name, expiresInDays? }: a new API token living 1 to 365 days (90 by
 * default); `token` is shown this once.
 */
export const POST = apiRoute(
  async ({ principal, json }) => {
    const parsed = apiTokenSchema.safeParse(await json());
    if (!parsed.success) throw invalidInput(parsed.error);
    return operators().createApiToken(signedIn(principal).operator.id, parsed.data.name, {
      expiresInDays: parsed.data.expiresInDays,
    });
  },
  { status: 201 },
);
