/** Where the sign-in page sends an operator who gave no (usable) `next`. */
const DEFAULT_NEXT = '/tasks';
const PLACEHOLDER_ORIGIN = 'http://tidewater.invalid';

/**
 * A `next` parameter to return to after signing in: a path on this site, never another site.
 *
 * A browser reads a URL more loosely than it looks: it drops tabs and newlines anywhere
 * (`/\t/evil.example` becomes `//evil.example`), treats `\` as `/` and trims leading spaces
 * and control characters (the WHATWG URL Standard, "basic URL parser"). So anything holding a
 * control character or a backslash is refused outright, and what remains must be a path
 * (one leading `/`, not `//`) that the URL parser itself resolves to this site. What is
 * returned is the parser's own serialization of path, query and fragment.
 */
export function safeNextPath(value: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused here
  if (!value || /[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_NEXT;
  if (!value.startsWith('/') || value.startsWith('//')) return DEFAULT_NEXT;
  const url = new URL(value, PLACEHOLDER_ORIGIN);
  if (url.origin !== PLACEHOLDER_ORIGIN) return DEFAULT_NEXT;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The sign-in page itself would be a loop.
  if (url.pathname === '/sign-in') return DEFAULT_NEXT;
  return path;
}
