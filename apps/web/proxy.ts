import { NextResponse, type NextRequest } from 'next/server';
import { pageContentSecurityPolicy } from './lib/security-headers';
import { SESSION_COOKIE } from './lib/session-cookie';

/**
 * Pages (every path but /api/ and Next's static files):
 * - without a session cookie, go to the sign-in page (and come back after). This is the quick
 *   check; the console layout verifies the session itself, and every API route is guarded by
 *   apiRoute (401 instead of a redirect);
 * - a Content-Security-Policy with a fresh nonce per page. Next.js reads the nonce from the
 *   request's CSP header and puts it on its own scripts, so only those run; pages are rendered
 *   per request (the root layout opts out of static rendering) so each gets its own.
 * The headers every answer carries (nosniff, referrer policy, framing, HSTS) are in
 * next.config.ts.
 */
export function proxy(request: NextRequest) {
  const isSignIn = request.nextUrl.pathname === '/sign-in';
  if (!isSignIn && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = '';
    const back = `${request.nextUrl.pathname}${request.nextUrl.search}`;
    if (back !== '/') url.searchParams.set('next', back);
    return NextResponse.redirect(url);
  }
  const policy = pageContentSecurityPolicy(
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18)))),
    { isDevelopment: process.env.NODE_ENV === 'development' },
  );
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static/|_next/image|favicon\\.ico).*)'],
};
