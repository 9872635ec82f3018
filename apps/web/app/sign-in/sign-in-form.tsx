'use client';

import { useState, type FormEvent } from 'react';
import { ApiError, apiSend } from '@/lib/api-client';
import { signInSchema } from '@tidewater/config/api';
import { ErrorCallout } from '@/components/error-callout';
import { TextField } from '@/components/field';
import { issuesByPath } from '@/lib/form-errors';

export function SignInForm({ next }: { next: string }) {
  const [values, setValues] = useState({ username: '', password: '' });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = signInSchema.safeParse(values);
    if (!parsed.success) {
      setProblems(issuesByPath(parsed.error));
      return;
    }
    setProblems({});
    setFailure(null);
    setBusy(true);
    try {
      await apiSend('POST', '/api/auth/sign-in', parsed.data);
      // A full load, so the console's server layout sees the new session cookie.
      window.location.assign(next);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError) {
        setFailure(error);
        setProblems(error.fieldProblems);
      } else throw error;
    }
  }

  return (
    <form onSubmit={submit} noValidate className="form-stack" aria-label="Sign in">
      <TextField
        label="User name"
        name="username"
        autoComplete="username"
        value={values.username}
        onChange={(username) => setValues({ ...values, username })}
        error={problems.username}
        autoFocus
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={values.password}
        onChange={(password) => setValues({ ...values, password })}
        error={problems.password}
      />
      {failure ? <ErrorCallout error={failure} /> : null}
      <button type="submit" className="button button-primary button-wide" disabled={isBusy}>
        {isBusy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
