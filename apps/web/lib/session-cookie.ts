/** The session cookie's name; shared by the proxy (page redirects) and the API guard. */
export const SESSION_COOKIE = 'tidewater_session';
