/**
 * Opening a connection to the source: mysql2 with the session set up the way every other part
 * of the package relies on (UTC time zone, backslash escapes, exact numbers as strings), the
 * server identified, and every failure translated into one stable code with a remedy.
 */

import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import type { Connection as CoreConnection } from 'mysql2';
import { TidewaterError } from '@tidewater/errors';
import { assertSupportedServer, detectServer, type ServerInfo } from './flavour';

export interface SourceTlsOptions {
  /** PEM certificate(s) of the authority that signed the server's certificate. */
  ca?: string;
  /** PEM client certificate, for servers that require one (`REQUIRE X509`). */
  cert?: string;
  /** PEM private key of the client certificate. */
  key?: string;
  /** Verify the server's certificate and name; on unless switched off explicitly. */
  rejectUnauthorized?: boolean;
}

export interface SourceConnectionOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** TLS for the whole session; null or absent for a plain connection. */
  tls?: SourceTlsOptions | null;
  /** How long to wait for the TCP connection and the handshake; 10 s when absent. */
  connectTimeoutMs?: number;
}

/** An open, identified source session. */
export interface SourceConnection {
  /** The mysql2 promise connection (`coreOf` gives its callback-style core, for streaming). */
  readonly connection: Connection;
  readonly server: ServerInfo;
  /** `host:port`, for messages (never the user or the password). */
  readonly target: string;
  close(): Promise<void>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

// Session modes that would change how our statements parse: with ANSI_QUOTES a double-quoted
// string is an identifier; with NO_BACKSLASH_ESCAPES mysql2's escaped literals mean something
// else. Every other mode the operator set stays, so filters behave as they would in their client.
const MODES_WE_REMOVE = new Set(['ANSI_QUOTES', 'NO_BACKSLASH_ESCAPES', 'ANSI']);

/**
 * Connects, identifies the server and prepares the session. Throws a `TidewaterError` with one
 * of `SOURCE_DNS_FAILED`, `SOURCE_CONNECTION_REFUSED`, `SOURCE_TIMEOUT`, `SOURCE_AUTH_FAILED`,
 * `SOURCE_TLS_FAILED`, `SOURCE_UNSUPPORTED_SERVER` or `SOURCE_CONNECTION_FAILED`.
 * `acceptUnsupported` keeps the session to an unsupported version (its `server` says why).
 */
export async function connectSource(
  options: SourceConnectionOptions,
  behaviour: { acceptUnsupported?: boolean } = {},
): Promise<SourceConnection> {
  const target = `${options.host}:${options.port}`;
  let connection: Connection;
  try {
    connection = await mysql.createConnection(toMysql2Options(options));
  } catch (error) {
    throw classifyConnectError(error, options);
  }
  // A connection that dies while idle emits 'error' on the core connection; without a listener
  // that would crash the process. The next statement on it fails with the same error, which is
  // where it is reported.
  coreOf(connection).on('error', () => undefined);
  try {
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT VERSION() AS versionString, @@version_comment AS versionComment, @@SESSION.sql_mode AS sqlMode',
    );
    const row = rows[0];
    if (row === undefined) throw new Error('SELECT VERSION() returned no row');
    const server = detectServer(String(row.versionString), nullableString(row.versionComment));
    // The precheck connects to any server, so it can report the version as its own item.
    if (behaviour.acceptUnsupported !== true) assertSupportedServer(server);
    const sqlMode = String(row.sqlMode ?? '')
      .split(',')
      .filter((mode) => mode !== '' && !MODES_WE_REMOVE.has(mode.toUpperCase()))
      .join(',');
    await connection.query("SET SESSION time_zone = '+00:00', SESSION sql_mode = ?", [sqlMode]);
    return {
      connection,
      server,
      target,
      close: async () => {
        await connection.end();
      },
    };
  } catch (error) {
    connection.destroy();
    if (error instanceof TidewaterError) throw error;
    throw classifyConnectError(error, options);
  }
}

/**
 * The callback-style mysql2 connection under a promise connection: the one that can stream a
 * result with backpressure (`pause`/`resume`), which the promise API cannot.
 */
export function coreOf(connection: Connection): CoreConnection {
  return (connection as unknown as { connection: CoreConnection }).connection;
}

function toMysql2Options(options: SourceConnectionOptions): ConnectionOptions {
  const tls = options.tls ?? null;
  return {
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    charset: 'utf8mb4',
    // Exact values: BIGINT and DECIMAL stay strings, dates stay the server's text, JSON stays
    // text. The snapshot adds a per-query typeCast on top (see canonical.ts).
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    multipleStatements: false,
    ...(tls === null
      ? {}
      : {
          ssl: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          },
        }),
  };
}

interface ErrorWithCode {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

const TLS_ERROR_CODES = new Set([
  'HANDSHAKE_NO_SSL_SUPPORT',
  'ER_SECURE_TRANSPORT_REQUIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

const AUTH_ERROR_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'ER_USER_LOCK_WRONG_PASSWORD',
  'ER_PASSWORD_EXPIRE_ANONYMOUS_USER',
  'AUTH_SWITCH_PLUGIN_ERROR',
]);

/**
 * Maps a connect-time failure to a stable code. Exported for the precheck and for tests; the
 * message names host and port and the server's own words, never the password.
 */
export function classifyConnectError(
  error: unknown,
  options: Pick<SourceConnectionOptions, 'host' | 'port' | 'user' | 'connectTimeoutMs'>,
): TidewaterError {
  if (error instanceof TidewaterError) return error;
  const target = `${options.host}:${options.port}`;
  const { code, text } = describeError(error);
  const details = { host: options.host, port: options.port, driverCode: code };

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new TidewaterError(
      'SOURCE_DNS_FAILED',
      `The source host name "${options.host}" could not be resolved (${code}).`,
      {
        category: 'unavailable',
        isRetryable: code === 'EAI_AGAIN',
        remedy:
          'Check the host name for typos, or use the IP address; make sure the worker can resolve it (DNS, /etc/hosts, VPC private zone).',
        details,
        cause: error,
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new TidewaterError(
      'SOURCE_CONNECTION_REFUSED',
      `The source at ${target} refused the connection: nothing is listening on that port.`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy:
          'Check the port and that the database is running and listening on a network interface (bind-address), not only on localhost.',
        details,
        cause: error,
      },
    );
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'PROTOCOL_SEQUENCE_TIMEOUT'
  ) {
    const seconds = Math.round((options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000);
    return new TidewaterError(
      'SOURCE_TIMEOUT',
      code === 'ETIMEDOUT' || code === 'PROTOCOL_SEQUENCE_TIMEOUT'
        ? `The source at ${target} did not answer within ${seconds} s.`
        : `The source at ${target} is not reachable from the worker (${code}).`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy:
          'Check that a firewall, security group or whitelist lets the worker reach this host and port, and that the address is the one the database listens on.',
        details,
        cause: error,
      },
    );
  }
  if (AUTH_ERROR_CODES.has(code) || code === 'ER_HOST_NOT_PRIVILEGED') {
    const isHostProblem = code === 'ER_HOST_NOT_PRIVILEGED';
    return new TidewaterError(
      'SOURCE_AUTH_FAILED',
      `The source at ${target} rejected user "${options.user}": ${text}`,
      {
        category: 'unauthorized',
        remedy: isHostProblem
          ? "Allow the worker's address for this account (CREATE USER 'name'@'worker-host' or '%') and grant it the privileges the task needs."
          : 'Check the user name and password; make sure the account exists for the host the worker connects from, is not locked, and uses an authentication plugin mysql2 supports (mysql_native_password or caching_sha2_password).',
        details,
        cause: error,
      },
    );
  }
  if (TLS_ERROR_CODES.has(code) || /\b(ssl|tls|certificate)\b/i.test(text)) {
    const serverLacksTls = code === 'HANDSHAKE_NO_SSL_SUPPORT';
    const serverRequiresTls = code === 'ER_SECURE_TRANSPORT_REQUIRED';
    return new TidewaterError(
      'SOURCE_TLS_FAILED',
      serverLacksTls
        ? `TLS was requested but the source at ${target} does not support encrypted connections.`
        : serverRequiresTls
          ? `The source at ${target} only accepts encrypted connections.`
          : `The TLS handshake with the source at ${target} failed: ${text}`,
      {
        category: 'unavailable',
        remedy: serverLacksTls
          ? 'Enable TLS on the server (ssl_cert, ssl_key) or switch TLS off for this source.'
          : serverRequiresTls
            ? 'Switch TLS on for this source and give the CA certificate.'
            : "Give the CA certificate that signed the server's certificate, check that the host name matches the certificate, or (only for testing) switch certificate verification off.",
        details,
        cause: error,
      },
    );
  }
  if (
    code === 'HANDSHAKE_UNKNOWN_ERROR' ||
    code.startsWith('PROTOCOL_') ||
    code === 'ECONNRESET' ||
    /malformed|packets out of order|unexpected packet/i.test(text)
  ) {
    return new TidewaterError(
      'SOURCE_UNSUPPORTED_SERVER',
      `The server at ${target} did not complete a MySQL handshake (${code || text}); it may not be a MySQL-compatible database.`,
      {
        category: 'unsupported',
        remedy:
          'Check that host and port point at the MySQL, MariaDB or PolarDB-X endpoint (not a proxy admin port, HTTP service or another database).',
        details,
        cause: error,
      },
    );
  }
  return new TidewaterError(
    'SOURCE_CONNECTION_FAILED',
    `Connecting to the source at ${target} failed: ${text}`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy: 'Check the address, the network path and the server log of the source database.',
      details,
      cause: error,
    },
  );
}

/** Driver and socket codes of a session that is gone (network, server closed or killed it). */
const CONNECTION_LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_ABORTING_CONNECTION',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
]);

/**
 * Server error numbers with the same meaning: 1053 ER_SERVER_SHUTDOWN, 1152
 * ER_ABORTING_CONNECTION, 1159/1161 ER_NET_READ/WRITE_INTERRUPTED, 1927 ER_CONNECTION_KILLED
 * (MariaDB's answer to KILL CONNECTION), 2006/2013 CR_SERVER_GONE_ERROR/CR_SERVER_LOST, 4031
 * ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+ closing an idle session).
 */
const CONNECTION_LOST_ERRNOS = new Set([1053, 1152, 1159, 1161, 1927, 2006, 2013, 4031]);

/**
 * Whether a statement failed because its session is gone, not because of the statement: the
 * work can be retried on a new session. mysql2 answers a statement on a session it already
 * knows is closed with a fatal error without a code ("... in closed state"). Other fatal errors
 * (a packet mysql2 could not handle) are not connection losses: retrying would not help.
 */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno, fatal, message } = error as ErrorWithCode & { fatal?: unknown };
  if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return true;
  if (typeof errno === 'number' && CONNECTION_LOST_ERRNOS.has(errno)) return true;
  return fatal === true && typeof message === 'string' && /\bin closed state\b/.test(message);
}

function describeError(error: unknown): { code: string; text: string } {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as ErrorWithCode;
    return {
      code: typeof code === 'string' ? code : '',
      text: typeof message === 'string' ? message : String(error),
    };
  }
  return { code: '', text: String(error) };
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * Reads `mysql://user:password@host:port` (the form tests and the CLI take) into options.
 * User and password are URL-decoded; the port defaults to 3306.
 */
export function parseSourceUrl(url: string): SourceConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TidewaterError('SOURCE_URL_INVALID', 'The source URL is not a valid URL.', {
      category: 'invalid_input',
      remedy: 'Write it as mysql://user:password@host:port.',
      cause: error,
    });
  }
  if (parsed.protocol !== 'mysql:') {
    throw new TidewaterError(
      'SOURCE_URL_INVALID',
      `The source URL has scheme "${parsed.protocol}", expected "mysql:".`,
      { category: 'invalid_input', remedy: 'Write it as mysql://user:password@host:port.' },
    );
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}
