import type { Metadata } from 'next';
import { requireOperator } from '@/lib/current-operator';
import { ApiTokens } from './api-tokens';
import { ChangePassword } from './change-password';

export const metadata: Metadata = { title: 'Account · Tidewater' };

export default async function AccountPage() {
  const operator = await requireOperator();
  return (
    <>
      <header className="page-header">
        <h1>Account</h1>
        <p className="muted">
          Signed in as <strong>{operator.username}</strong>. Password last changed{' '}
          <time dateTime={operator.passwordChangedAt}>
            {new Date(operator.passwordChangedAt).toUTCString()}
          </time>
          .
        </p>
      </header>
      <div className="two-columns">
        <ChangePassword />
        <ApiTokens />
      </div>
    </>
  );
}
