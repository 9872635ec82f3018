/**
 * The response headers that keep the console's pages and answers from being framed, sniffed,
 * leaked through Referer, loaded over plain http once seen over https, or made to run scripts
 * they did not ship. Applied in next.config.ts (every answer) and proxy.ts (a page's CSP, which
 * carries a per-request nonce).
 */

/** Answers that are data, never documents: nothing may load from them or frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Two years, the HSTS preload list's floor; sent only to clients that came over https. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/** Headers for every answer, pages and API alike. */
export const COMMON_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // The console's URLs name tasks; other sites need not learn them.
  { key: 'Referrer-Policy', value: 'same-origin' },
  // For browsers without CSP frame-ancestors.
  { key: 'X-Frame-Options', value: 'DENY' },
];

/**
 * A page's policy: scripts only with this response's nonce (and what they load:
 * 'strict-dynamic'), styles from the site plus inline style attributes (charts and React set
 * them; they cannot run code), everything else from the site only, no plugins, no <base>, no
 * framing, forms posting only here. Development adds 'unsafe-eval', which React's dev build needs.
 */
export function pageContentSecurityPolicy(
  nonce: string,
  options: { isDevelopment?: boolean } = {},
): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.isDevelopment ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
