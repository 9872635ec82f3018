import { invalidInput } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { operators, signedIn } from '@/lib/auth';
import { apiTokenSchema } from '@/lib/auth-schemas';

export const dynamic = 'force-dynamic';

/** GET /api/auth/tokens: the caller's API tokens (names and prefixes, never the secrets). */
export const GET = apiRoute(async ({ principal }) => ({
  tokens: await operators().listApiTokens(signedIn(principal).operator.id),
}));

/** POST /api/auth/tokens { name }: a new API token; `token` is shown this once. */
export const POST = apiRoute(
  async ({ principal, json }) => {
    const parsed = apiTokenSchema.safeParse(await json());
    if (!parsed.success) throw invalidInput(parsed.error);
    return operators().createApiToken(signedIn(principal).operator.id, parsed.data.name);
  },
  { status: 201 },
);
