'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ApiTokenView } from '@tidewater/db';
import { ApiError, apiFetch, apiSend } from '@/lib/api-client';
import { API_TOKEN_LIFETIMES, apiTokenSchema } from '@tidewater/config/api';
import { issuesByPath } from '@/lib/form-errors';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorCallout } from '@/components/error-callout';
import { SelectField, TextField } from '@/components/field';
import { LoadingCard } from '@/components/loading';
import { CopyButton } from '@/components/copy-button';

export function ApiTokens() {
  const client = useQueryClient();
  const tokens = useQuery({
    queryKey: ['api-tokens'],
    queryFn: () => apiFetch<{ tokens: ApiTokenView[] }>('/api/auth/tokens'),
  });
  const [name, setName] = useState('');
  const [lifetime, setLifetime] = useState<`${(typeof API_TOKEN_LIFETIMES)[number]}`>('90');
  const [nameError, setNameError] = useState<string | undefined>();
  const [created, setCreated] = useState<{ token: string; apiToken: ApiTokenView } | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; expiresInDays: number }) =>
      apiSend<{ token: string; apiToken: ApiTokenView }>('POST', '/api/auth/tokens', body),
    onSuccess: (result) => {
      setCreated(result);
      setName('');
      void client.invalidateQueries({ queryKey: ['api-tokens'] });
    },
    onError: (error) => {
      if (error instanceof ApiError) setNameError(error.fieldProblems.name);
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiSend('DELETE', `/api/auth/tokens/${id}`),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = apiTokenSchema.safeParse({ name, expiresInDays: Number(lifetime) });
    if (!parsed.success) {
      setNameError(issuesByPath(parsed.error).name);
      return;
    }
    setNameError(undefined);
    setCreated(null);
    create.mutate(parsed.data);
  }

  return (
    <section className="card" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading" className="section-title">
        API tokens
      </h2>
      <p className="muted">
        For the CLI and automation: send <code>Authorization: Bearer &lt;token&gt;</code>. A token
        acts as you; it is shown once and stored only as a hash. It stops working when it expires,
        when you revoke it, and when your password changes.
      </p>
      <form onSubmit={submit} noValidate className="inline-form">
        <TextField
          label="Token name"
          name="tokenName"
          value={name}
          onChange={setName}
          error={nameError}
          placeholder="e.g. laptop CLI"
        />
        <SelectField
          label="Expires after"
          name="tokenLifetime"
          value={lifetime}
          onChange={setLifetime}
          options={API_TOKEN_LIFETIMES.map((days) => ({
            value: `${days}` as const,
            label: days === 365 ? '1 year' : `${days} days`,
          }))}
        />
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.isError && !nameError ? <ErrorCallout error={create.error} /> : null}
      {created ? (
        <div className="callout callout-ok new-token" role="status">
          <p>
            <strong>Copy the token &ldquo;{created.apiToken.name}&rdquo; now</strong>: it is not
            shown again.
          </p>
          <div className="token-row">
            <code data-testid="new-api-token">{created.token}</code>
            <CopyButton text={created.token} label="Copy token" />
          </div>
        </div>
      ) : null}
      {tokens.isPending ? (
        <LoadingCard label="Loading API tokens…" rows={2} />
      ) : tokens.isError ? (
        <ErrorCallout error={tokens.error} title="The tokens could not be loaded." />
      ) : tokens.data.tokens.length === 0 ? (
        <p className="empty-inline">No API tokens yet. Create one above for the CLI.</p>
      ) : (
        <table className="table" aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{new Date(token.createdAt).toLocaleString()}</td>
                <td>{token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : 'Never'}</td>
                <td>
                  {Date.parse(token.expiresAt) <= Date.now() ? (
                    <span className="badge badge-failed">Expired</span>
                  ) : (
                    new Date(token.expiresAt).toLocaleDateString()
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setRevoking(token)}
                  >
                    Revoke<span className="visually-hidden"> {token.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        isOpen={revoking !== null}
        title={`Revoke the token "${revoking?.name ?? ''}"?`}
        confirmLabel="Revoke"
        isDanger
        isBusy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        <p>Scripts using it stop working at once.</p>
        {revoke.isError ? <ErrorCallout error={revoke.error} /> : null}
      </ConfirmDialog>
    </section>
  );
}
