import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * Servers that pretend to be a source, a Kafka broker or a schema registry, so a test can see
 * exactly what Tidewater sends to an address it was pointed at.
 */

interface Listening {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function closer(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>) {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

export interface FakeMysql extends Listening {
  /** Accounts that sent a handshake response. */
  users: string[];
  /** Passwords recovered in clear from `caching_sha2_password` full authentication. */
  passwords: string[];
  connections: number;
}

/**
 * A MySQL-protocol listener that does what a hostile server can: it offers
 * `caching_sha2_password` without TLS, asks for full authentication, hands the client its own
 * RSA key and decrypts the password the client encrypts with it ("Caching SHA-2 Pluggable
 * Authentication" in the MySQL manual; mysql2 follows it). It always answers "access denied".
 */
export async function startFakeMysql(): Promise<FakeMysql> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const sockets = new Set<Socket>();
  const fake: Omit<FakeMysql, 'port' | 'close'> = { users: [], passwords: [], connections: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    fake.connections += 1;
    const scramble = Buffer.from(randomBytes(20).map((byte) => (byte % 94) + 33));
    let buffered = Buffer.alloc(0);
    let step = 0;
    const send = (sequence: number, payload: Buffer) => {
      const header = Buffer.alloc(4);
      header.writeUIntLE(payload.length, 0, 3);
      header[3] = sequence;
      socket.write(Buffer.concat([header, payload]));
    };
    const deny = (sequence: number) =>
      send(
        sequence,
        Buffer.concat([
          Buffer.from([0xff, 0x15, 0x04]),
          Buffer.from('#28000Access denied (fake server)'),
        ]),
      );
    const capabilities = 0x1 | 0x4 | 0x200 | 0x2000 | 0x8000 | 0x80000 | 0x200000;
    const greeting = Buffer.alloc(128);
    let at = 0;
    greeting[at++] = 10;
    at += greeting.write('8.0.36-fake\0', at);
    greeting.writeUInt32LE(1, at);
    at += 4;
    at += scramble.copy(greeting, at, 0, 8);
    greeting[at++] = 0;
    greeting.writeUInt16LE(capabilities & 0xffff, at);
    at += 2;
    greeting[at++] = 0xff;
    greeting.writeUInt16LE(2, at);
    at += 2;
    greeting.writeUInt16LE(capabilities >>> 16, at);
    at += 2;
    greeting[at++] = 21;
    at += 10;
    at += scramble.copy(greeting, at, 8, 20);
    greeting[at++] = 0;
    at += greeting.write('caching_sha2_password\0', at);
    send(0, greeting.subarray(0, at));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUIntLE(0, 3);
        if (buffered.length < 4 + length) return;
        const sequence = buffered[3]!;
        const payload = buffered.subarray(4, 4 + length);
        buffered = buffered.subarray(4 + length);
        if (step === 0) {
          const end = payload.indexOf(0, 32);
          fake.users.push(payload.subarray(32, end).toString('utf8'));
          step = 1;
          send(sequence + 1, Buffer.from([0x01, 0x04]));
        } else if (step === 1 && payload.length === 1 && payload[0] === 0x02) {
          step = 2;
          send(sequence + 1, Buffer.concat([Buffer.from([0x01]), Buffer.from(publicPem)]));
        } else if (step === 2) {
          const xored = privateDecrypt(
            { key: privateKey, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING },
            payload,
          );
          const clear = Buffer.from(xored).map(
            (byte, index) => byte ^ scramble[index % scramble.length]!,
          );
          fake.passwords.push(Buffer.from(clear.subarray(0, clear.indexOf(0))).toString('utf8'));
          step = 3;
          deny(sequence + 1);
        } else {
          deny(sequence + 1);
        }
      }
    });
  });
  const port = await listen(server);
  return Object.assign(fake, { port, close: closer(server, sockets) }) as FakeMysql;
}

export interface FakeListener extends Listening {
  connections: number;
  bytes: number;
}

/** A TCP listener that accepts and counts: where a broker list may point instead of Kafka. */
export async function startFakeListener(): Promise<FakeListener> {
  const sockets = new Set<Socket>();
  const fake = { connections: 0, bytes: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    fake.connections += 1;
    socket.on('data', (chunk) => {
      fake.bytes += chunk.length;
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  const port = await listen(server);
  return Object.assign(fake, { port, close: closer(server, sockets) }) as FakeListener;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
}

export interface FakeRegistry extends Listening {
  url: string;
  requests: RecordedRequest[];
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** An HTTP server that records every request (method, path, Authorization) and answers. */
export async function startFakeRegistry(answer: Answer): Promise<FakeRegistry> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const server = createHttpServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      authorization: request.headers.authorization ?? null,
    });
    answer(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, requests, close: closer(server, sockets) };
}

/** A registry that answers `GET /subjects` with an empty list, as a Confluent registry does. */
export const registryAnswer: Answer = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
  response.end('[]');
};

/** `Basic <base64(user:password)>`, as a registry receives it. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
