/**
 * A throwaway single-node Kafka (KRaft, PLAINTEXT) that one test file owns, on free ports and
 * in a temporary directory, run from the local stack's Kafka jars. The broker-restart test
 * stops and restarts this one, so the stack's shared broker, which other test files use at
 * the same time, never goes down.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars, kafkaClasspath } from '@tidewater/stack';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './ports';
import { sleep } from './wait';

const execFileAsync = promisify(execFile);

export interface PrivateBroker {
  brokers: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPrivateBroker(): Promise<PrivateBroker> {
  await ensureKafkaJars();
  const dir = mkdtempSync(join(tmpdir(), 'tidewater-private-kafka-'));
  const port = await freePort();
  const controllerPort = await freePort();
  const config = join(dir, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const java = (main: string, args: string[]) => [
    '-Xmx384m',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    kafkaClasspath,
    main,
    ...args,
  ];
  writeFileSync(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, null\nlog4j.appender.null=org.apache.log4j.varia.NullAppender\n',
  );
  await execFileAsync(
    'java',
    java('kafka.tools.StorageTool', [
      'format',
      '--cluster-id',
      randomBytes(16).toString('base64url'),
      '--config',
      config,
    ]),
  );

  const brokers = [`127.0.0.1:${port}`];
  let child: ChildProcess | null = null;

  const isUp = async (): Promise<boolean> => {
    const admin = new Kafka({
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      // Not up yet: the caller polls until its deadline.
      return false;
    } finally {
      await admin.disconnect();
    }
  };

  const start = async (): Promise<void> => {
    const spawned = spawn('java', java('kafka.Kafka', [config]), { stdio: 'ignore' });
    child = spawned;
    const deadline = Date.now() + 90_000;
    while (!(await isUp())) {
      if (spawned.exitCode !== null)
        throw new Error(`private Kafka exited with ${spawned.exitCode}`);
      if (Date.now() > deadline) throw new Error('private Kafka did not come up in 90 s');
      await sleep(250);
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    brokers,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
