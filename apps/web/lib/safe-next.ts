/** A `next` parameter to return to after signing in: a path on this site, never another site. */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/tasks';
  }
  return value;
}
