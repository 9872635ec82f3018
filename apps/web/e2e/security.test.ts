import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { baseUrl } from './session';

/**
 * The console's security promises over HTTP, against the built app: request body limits. Requests
 * leave from chosen loopback addresses (all of 127.0.0.0/8 reaches the server): the global setup
 * trusts `trustedProxy` (127.0.0.2) as a reverse proxy, so its X-Forwarded-* headers count; any
 * other address is a client talking to the console directly.
 */

const TWO_MIB = 2 * 1024 * 1024;
/** A direct client, and the address of each scenario that must not share limiter state. */
const CLIENT = {
  bodies: '127.0.0.11',
} as const;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Record<string, any>>(): T;
}

/**
 * One HTTP request from `from` (a local address). A chunked body has no Content-Length, so
 * the server can only find its size by reading it.
 */
function send(options: {
  from: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  isChunked?: boolean;
}): Promise<Answer> {
  const target = new URL(baseUrl());
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  if (body && !options.isChunked) headers['content-length'] = String(body.length);
  if (body && options.isChunked) headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    let isAnswered = false;
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? (body ? 'POST' : 'GET'),
        path: options.path,
        localAddress: options.from,
        headers,
        agent: false,
      },
      (response) => {
        isAnswered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
          // The server may answer before it read the whole body; stop sending it.
          request.destroy();
        });
      },
    );
    request.on('error', (error) => {
      // An error after the answer arrived is the server closing a body it refused to read.
      if (!isAnswered) reject(error);
    });
    if (!body) {
      request.end();
      return;
    }
    if (!options.isChunked) {
      request.end(body);
      return;
    }
    const piece = 64 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length && !request.destroyed) {
        const chunk = body.subarray(offset, offset + piece);
        offset += piece;
        if (!request.write(chunk)) {
          request.once('drain', writeMore);
          return;
        }
      }
      if (!request.destroyed) request.end();
    };
    writeMore();
  });
}

const origin = () => baseUrl();

function signInAs(
  from: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return send({
    from,
    path: '/api/auth/sign-in',
    headers: { 'content-type': 'application/json', origin: origin(), ...headers },
    body: JSON.stringify({ username, password }),
  });
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('request body limits', () => {
  it('answers 413 to a 2 MiB sign-in body, declared or chunked, and keeps answering', async () => {
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(TWO_MIB) });
    for (const isChunked of [false, true]) {
      const answer = await send({
        from: CLIENT.bodies,
        path: '/api/auth/sign-in',
        headers: { 'content-type': 'application/json', origin: origin() },
        body: big,
        isChunked,
      });
      expect({ isChunked, status: answer.status }).toEqual({ isChunked, status: 413 });
      expect(answer.json().error.code).toBe('REQUEST_TOO_LARGE');
      expect(answer.json().error.remedy).toMatch(/1 MiB/);
    }
    const after = await signInAs(CLIENT.bodies, 'nobody-here', 'wrong');
    expect(after.status).toBe(401);
  });

  it('answers 413 to a 2 MiB body on a task route, declared or chunked', async () => {
    const token = `Bearer ${inject('apiToken')}`;
    const created = await send({
      from: CLIENT.bodies,
      path: '/api/tasks',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({
        name: unique('body-limit'),
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
        destination: { hosts: '127.0.0.1', port: 9092, topic: 'tidewater-body-limit' },
      }),
    });
    expect(created.status).toBe(201);
    const id = created.json().task.id as string;
    const big = JSON.stringify({ database: 'd', table: 't', filter: 'x'.repeat(TWO_MIB) });
    for (const isChunked of [false, true]) {
      const answer = await send({
        from: CLIENT.bodies,
        path: `/api/tasks/${id}/filters`,
        headers: { 'content-type': 'application/json', authorization: token },
        body: big,
        isChunked,
      });
      expect({ isChunked, status: answer.status }).toEqual({ isChunked, status: 413 });
      expect(answer.json().error.code).toBe('REQUEST_TOO_LARGE');
    }
  });
});
