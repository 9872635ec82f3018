import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import mysql from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource, type SourceConnectionOptions } from '../src/connect';
import { createScratchDatabase, sourceOptions, type ScratchDatabase } from './source-fixture';

async function codeOf(
  options: SourceConnectionOptions,
): Promise<{ code: string; message: string }> {
  try {
    const source = await connectSource(options);
    await source.close();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('connected although it should not');
}

/** A TCP server that answers every connection with `onSocket`; closed after the tests. */
async function listen(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    onSocket(socket);
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

/** A fake MySQL server reporting `version` from SELECT VERSION(), for flavours we cannot run. */
async function fakeMysql(version: string): Promise<{ port: number; close: () => void }> {
  const server = mysql.createServer((connection) => {
    connection.serverHandshake({
      protocolVersion: 10,
      serverVersion: version,
      connectionId: 1,
      statusFlags: 2,
      characterSet: 8,
      capabilityFlags: 0xffffff & ~0x800,
    });
    connection.on('query', () => {
      // mysql2's server side does not restart the sequence per command; the reply follows the
      // client's packet 0.
      (connection as unknown as { sequenceId: number }).sequenceId = 1;
      const columns = ['versionString', 'versionComment', 'sqlMode'].map((name) => ({
        catalog: 'def',
        schema: '',
        table: '',
        orgTable: '',
        name,
        orgName: name,
        characterSet: 33,
        columnLength: 255,
        columnType: 253,
        flags: 0,
        decimals: 0,
      }));
      const core = connection as unknown as {
        writeColumns(columns: unknown[]): void;
        writeTextRow(row: unknown[]): void;
        writeEof(): void;
      };
      core.writeColumns(columns);
      core.writeTextRow([version, null, '']);
      core.writeEof();
    });
    // mysql2's server side routes SET statements to this event.
    connection.on('stmt_prepare', () => {
      (connection as unknown as { sequenceId: number }).sequenceId = 1;
      connection.writeOk();
    });
    connection.on('error', () => undefined);
  });
  // mysql2's Server wraps a net.Server and types `listen` with a port only.
  const tcp = (server as unknown as { _server: Server })._server;
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  const address = tcp.address() as { port: number };
  return { port: address.port, close: () => tcp.close() };
}

describe('connectSource', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('connect');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('connects, identifies the server and runs the session in UTC', async () => {
    const source = await connectSource(sourceOptions());
    try {
      expect(['mariadb', 'mysql']).toContain(source.server.flavour);
      expect(source.server.unsupportedReason).toBeNull();
      const [rows] = await source.connection.query('SELECT @@SESSION.time_zone AS tz');
      expect((rows as Array<{ tz: string }>)[0]?.tz).toBe('+00:00');
    } finally {
      await source.close();
    }
  });

  it('reports a wrong password as SOURCE_AUTH_FAILED without the password', async () => {
    const options = await scratch.createUser('auth', []);
    const wrong = { ...options, password: 'not-the-password-42' };
    const { code, message } = await codeOf(wrong);
    expect(code).toBe('SOURCE_AUTH_FAILED');
    expect(message).toContain(options.user);
    expect(message).not.toContain('not-the-password-42');
  });

  it('reports an unknown host as SOURCE_DNS_FAILED', async () => {
    const { code, message } = await codeOf({ ...sourceOptions(), host: 'no-such-host.invalid' });
    expect(code).toBe('SOURCE_DNS_FAILED');
    expect(message).toContain('no-such-host.invalid');
  });

  it('reports a closed port as SOURCE_CONNECTION_REFUSED', async () => {
    const { port, server } = await listen((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
    const { code } = await codeOf({ ...sourceOptions(), host: '127.0.0.1', port });
    expect(code).toBe('SOURCE_CONNECTION_REFUSED');
  });

  it('reports a server that never answers as SOURCE_TIMEOUT', async () => {
    const { port, server } = await listen(() => undefined);
    try {
      const { code, message } = await codeOf({
        ...sourceOptions(),
        host: '127.0.0.1',
        port,
        connectTimeoutMs: 500,
      });
      expect(code).toBe('SOURCE_TIMEOUT');
      expect(message).toMatch(/did not answer within/);
    } finally {
      server.close();
    }
  });

  it('reports TLS against a server without TLS as SOURCE_TLS_FAILED', async () => {
    const source = await connectSource(sourceOptions());
    const [rows] = await source.connection.query("SHOW VARIABLES LIKE 'have_ssl'");
    await source.close();
    const hasTls = (rows as Array<{ Value: string }>)[0]?.Value === 'YES';
    // Without TLS on the server the upgrade is refused; with it, a test server's self-signed
    // certificate fails verification against the system's CAs. Either is SOURCE_TLS_FAILED.
    const { code, message } = await codeOf({
      ...sourceOptions(),
      tls: { rejectUnauthorized: true },
    });
    expect(message).toMatch(hasTls ? /TLS handshake/ : /does not support encrypted connections/);
    expect(code).toBe('SOURCE_TLS_FAILED');
  });

  it('reports a non-MySQL service as SOURCE_UNSUPPORTED_SERVER', async () => {
    const { port, server } = await listen((socket) => {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    try {
      const { code } = await codeOf({
        ...sourceOptions(),
        host: '127.0.0.1',
        port,
        connectTimeoutMs: 2000,
      });
      expect(code).toBe('SOURCE_UNSUPPORTED_SERVER');
    } finally {
      server.close();
    }
  });

  it('rejects MySQL 5.6 after the handshake as SOURCE_UNSUPPORTED_SERVER', async () => {
    const fake = await fakeMysql('5.6.51-log');
    try {
      const { code, message } = await codeOf({
        host: '127.0.0.1',
        port: fake.port,
        user: 'u',
        password: '',
      });
      expect(code).toBe('SOURCE_UNSUPPORTED_SERVER');
      expect(message).toMatch(/MySQL 5\.6\.51 is not supported/);
    } finally {
      fake.close();
    }
  });

  it('identifies PolarDB-X 2.0 from its version string', async () => {
    const fake = await fakeMysql('5.6.29-TDDL-5.4.19-20240927');
    try {
      const source = await connectSource({
        host: '127.0.0.1',
        port: fake.port,
        user: 'u',
        password: '',
      });
      expect(source.server.flavour).toBe('polardbx');
      expect(source.server.version).toBe('5.4.19');
      source.connection.destroy();
    } finally {
      fake.close();
    }
  });
});
