import { ApiError } from '@/lib/api-client';

/** An error as the operator should see it: what happened and how to fix it; no stack trace. */
export function ErrorCallout({
  error,
  title,
}: {
  error: Error | { message: string; remedy?: string; code?: string };
  title?: string;
}) {
  const remedy =
    error instanceof ApiError ? error.remedy : 'remedy' in error ? error.remedy : undefined;
  const code = error instanceof ApiError ? error.code : 'code' in error ? error.code : undefined;
  return (
    <div className="callout callout-error" role="alert">
      {title ? <strong className="callout-title">{title}</strong> : null}
      <p className="callout-message">{error.message}</p>
      {remedy ? (
        <p className="callout-remedy">
          <span className="remedy-label">How to fix:</span> {remedy}
        </p>
      ) : null}
      {code ? <code className="error-code">{code}</code> : null}
    </div>
  );
}
