import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { OperatorView } from '@tidewater/db';
import { operators } from './auth';
import { SESSION_COOKIE } from './session-cookie';

/** The operator signed in to this page request, or null. */
export async function currentOperator(): Promise<OperatorView | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return (await operators().readSession(token))?.operator ?? null;
}

/** For console pages: the signed-in operator, or a redirect to the sign-in page. */
export async function requireOperator(): Promise<OperatorView> {
  const operator = await currentOperator();
  if (!operator) redirect('/sign-in?expired=1');
  return operator;
}
