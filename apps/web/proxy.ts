import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE } from './lib/session-cookie';

/**
 * Pages: without a session cookie, go to the sign-in page (and come back after). This is the
 * quick check; the console layout verifies the session itself, and every API route is guarded
 * by apiRoute (401 instead of a redirect).
 */
export function proxy(request: NextRequest) {
  if (!request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = '';
    const back = `${request.nextUrl.pathname}${request.nextUrl.search}`;
    if (back !== '/') url.searchParams.set('next', back);
    return NextResponse.redirect(url);
  }
  const response = NextResponse.next();
  // The console is never framed by another site (clickjacking on its buttons).
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('referrer-policy', 'same-origin');
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/|sign-in|favicon\\.ico).*)'],
};
