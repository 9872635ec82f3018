import { invalidInput } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { operators, signedIn } from '@/lib/auth';
import { changePasswordSchema } from '@tidewater/config/api';

export const dynamic = 'force-dynamic';

/**
 * POST /api/auth/password { currentPassword, newPassword }: changes the caller's password, ends
 * their other sessions (this one stays signed in) and revokes all their API tokens, the one
 * making this call included; the answer names those that were still live.
 */
export const POST = apiRoute(async ({ principal, json }) => {
  const parsed = changePasswordSchema.safeParse(await json());
  if (!parsed.success) throw invalidInput(parsed.error);
  const caller = signedIn(principal);
  const { revokedApiTokens } = await operators().changePassword(
    caller.operator.id,
    parsed.data.currentPassword,
    parsed.data.newPassword,
    caller.via === 'session' ? { keepSessionToken: caller.sessionToken } : {},
  );
  return { isChanged: true, revokedApiTokens };
});
