import { cookies } from 'next/headers';
import { invalidInput } from '@tidewater/engine';
import { TidewaterError } from '@tidewater/errors';
import { apiRoute } from '@/lib/api-route';
import { clientAddress, operators, sessionCookieOptions } from '@/lib/auth';
import { signInSchema } from '@tidewater/config/api';
import { SESSION_COOKIE } from '@/lib/session-cookie';
import { reserveSignInAttempt } from '@/lib/sign-in-limit';

export const dynamic = 'force-dynamic';

/**
 * POST /api/auth/sign-in { username, password }: starts a session (an httpOnly cookie). The
 * attempt is counted by the limiter before the password is checked (429 while locked).
 */
export const POST = apiRoute(async ({ request, json }) => {
  const parsed = signInSchema.safeParse(await json());
  if (!parsed.success) throw invalidInput(parsed.error);
  const { username, password } = parsed.data;
  const attempt = await reserveSignInAttempt(username, clientAddress(request));
  let operator;
  try {
    operator = await operators().verifyCredentials(username, password);
  } catch (error) {
    await attempt.release();
    throw error;
  }
  if (!operator) {
    throw new TidewaterError('SIGN_IN_FAILED', 'The user name or the password is not right.', {
      category: 'unauthorized',
      remedy:
        'Check both and try again. The first operator is "admin"; npm run quickstart printed its password.',
    });
  }
  await attempt.succeeded();
  const session = await operators().createSession(operator.id, {
    userAgent: request.headers.get('user-agent'),
  });
  (await cookies()).set(SESSION_COOKIE, session.token, sessionCookieOptions(request));
  return { operator };
});
