import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentOperator } from '@/lib/current-operator';
import { safeNextPath } from '@/lib/safe-next';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in · Tidewater' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === 'string' ? params.next : null);
  if (await currentOperator()) redirect(next);
  return (
    <main className="sign-in-page" id="main">
      <div className="sign-in-card card">
        <div className="brand brand-on-light">
          <span aria-hidden="true" className="brand-mark">
            ≋
          </span>
          Tidewater
        </div>
        <h1>Sign in</h1>
        <p className="muted">Data transmission from MySQL-compatible databases to Apache Kafka.</p>
        {params.expired ? (
          <p className="callout callout-info" role="status">
            Your session has ended. Sign in again to continue.
          </p>
        ) : null}
        <SignInForm next={next} />
      </div>
    </main>
  );
}
