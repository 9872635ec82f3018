import { cookies } from 'next/headers';
import { apiRoute } from '@/lib/api-route';
import { operators } from '@/lib/auth';
import { SESSION_COOKIE } from '@/lib/session-cookie';

export const dynamic = 'force-dynamic';

/** POST /api/auth/sign-out: ends this browser's session. */
export const POST = apiRoute(async ({ principal }) => {
  if (principal?.via === 'session') await operators().deleteSession(principal.sessionToken);
  (await cookies()).delete(SESSION_COOKIE);
  return { isSignedOut: true };
});
