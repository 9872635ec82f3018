'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ApiTokenView } from '@tidewater/db';
import { ApiError, apiSend } from '@/lib/api-client';
import { changePasswordSchema } from '@tidewater/config/api';
import { issuesByPath } from '@/lib/form-errors';
import { ErrorCallout } from '@/components/error-callout';
import { TextField } from '@/components/field';

const EMPTY = { currentPassword: '', newPassword: '', confirmPassword: '' };

export function ChangePassword() {
  const client = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [revoked, setRevoked] = useState<ApiTokenView[] | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setRevoked(null);
    setFailure(null);
    // The repeated password is the form's own check; the API takes the other two fields only.
    const { confirmPassword, ...fields } = values;
    const parsed = changePasswordSchema.safeParse(fields);
    const found = parsed.success ? {} : issuesByPath(parsed.error);
    if (confirmPassword !== values.newPassword) {
      found.confirmPassword = 'The two new passwords differ.';
    }
    setProblems(found);
    if (!parsed.success || Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await apiSend<{ revokedApiTokens: ApiTokenView[] }>(
        'POST',
        '/api/auth/password',
        parsed.data,
      );
      setValues(EMPTY);
      setRevoked(result.revokedApiTokens);
      void client.invalidateQueries({ queryKey: ['api-tokens'] });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setFailure(error);
      setProblems(error.fieldProblems);
    } finally {
      setBusy(false);
    }
  }

  const set = (key: keyof typeof EMPTY) => (value: string) =>
    setValues({ ...values, [key]: value });
  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading" className="section-title">
        Change password
      </h2>
      <p className="muted">
        Your other browsers are signed out and your API tokens revoked when the password changes.
      </p>
      <form onSubmit={submit} noValidate className="form-stack">
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={values.currentPassword}
          onChange={set('currentPassword')}
          error={problems.currentPassword}
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters."
          value={values.newPassword}
          onChange={set('newPassword')}
          error={problems.newPassword}
        />
        <TextField
          label="Repeat the new password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          value={values.confirmPassword}
          onChange={set('confirmPassword')}
          error={problems.confirmPassword}
        />
        {failure && Object.keys(failure.fieldProblems).length === 0 ? (
          <ErrorCallout error={failure} />
        ) : null}
        {revoked ? (
          <div className="callout callout-ok" role="status">
            <p>Password changed.</p>
            {revoked.length > 0 ? (
              <p>
                Revoked {revoked.length === 1 ? 'the API token' : 'the API tokens'}{' '}
                {revoked.map((token) => `“${token.name}”`).join(', ')}: create new ones for the
                scripts that used them.
              </p>
            ) : null}
          </div>
        ) : null}
        <div>
          <button type="submit" className="button button-primary" disabled={isBusy}>
            {isBusy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
