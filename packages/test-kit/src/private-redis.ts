import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './ports';

/**
 * A Redis server of one test's own (the installed `redis-server`), with a password, on a free
 * port, for tests that take Redis away: the shared one serves the other tests and stays.
 */
export interface PrivateRedis {
  child: ChildProcess;
  port: number;
  password: string;
  url: string;
  kill(): void;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const password = `redis-pw-${randomBytes(8).toString('hex')}`;
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      password,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const client = new Redis({
      port,
      host: '127.0.0.1',
      password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    const isUp = await client
      .connect()
      .then(() => client.ping())
      .then(
        (reply) => reply === 'PONG',
        () => false,
      );
    client.disconnect();
    if (isUp) break;
    if (Date.now() > deadline) throw new Error('the private Redis did not answer within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    port,
    password,
    url: `redis://:${password}@127.0.0.1:${port}`,
    kill: () => child.kill('SIGKILL'),
  };
}
