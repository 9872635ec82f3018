import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { readEnvironment } from '@tidewater/config/environment';
import { migrateDatabase } from '@tidewater/db';
import {
  createEngineContext,
  createTask,
  enqueueRun,
  pauseTask,
  resumeTask,
  type EngineContext,
} from '@tidewater/engine';
import type { StackEndpoints } from '@tidewater/stack';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import mysqlPromise from 'mysql2/promise';

import { median, summarize } from '../figures';
import { ensureScanTable } from '../sbtest';
import type { Figure } from '../figures';
import { defineSection } from '../section';

/**
 * The product end to end (issue 6's section): a task (schema, full and incremental migration)
 * run by the real worker process on the 1M-row sysbench table, into a fresh three-partition
 * topic, measured from outside the worker the way an operator would see it:
 *
 * - Snapshot: from the moment the task is queued to the broker's append time of the last
 *   message (1,000,000 rows and the schema message), checkpoints included.
 * - Streaming: a burst of 200 transactions × 1,000-row UPDATEs once the task streams; events/s
 *   from the first to the last message of the burst (broker append times), and how long after
 *   the last write's commit the last message was appended.
 * - Catch-up: the task paused (its run stopped), the same burst shape written again (200,000 row
 *   changes), the task resumed; events/s from the resume to the last message's append time.
 *   Nothing paces the reader here but itself: the binlog is all there when the run starts.
 * - Latency (Canal JSON): ~5,000 row changes/s in 10-row transactions for ~20 s; for every
 *   message, broker append time minus the time the writer saw its transaction commit.
 * - The worker's peak RSS (VmHWM of its process, and VmRSS sampled every 200 ms).
 *
 * The topic is created with `message.timestamp.type=LogAppendTime`, so every message carries
 * the broker's clock at append (the sink's own CreateTime would be the producer's send time);
 * writer, bench and broker share one machine clock. Messages are read back after each phase, so
 * no consumer competes with the worker for the two cores while it is measured.
 *
 * Environment: BENCH_E2E_FORMATS (default `canal-json,dts-avro`), BENCH_E2E_LATENCY_SECONDS
 * (default 20), BENCH_CPU_PROF_DIR (start the worker with `--cpu-prof` writing there; the log
 * then gives each phase's start on the profile's clock), BENCH_WORKER_NODE_FLAGS (Node and V8
 * flags added to the worker's own, e.g. `--max-semi-space-size=16`; MALLOC_* variables in the
 * bench's environment reach the worker too), BENCH_WORKER_LOG (a file the worker's whole
 * output is appended to).
 */

const DATABASE = 'bench';
const TABLE = 'sbtest1';
const ROWS = 1_000_000;
const PARTITIONS = 3;
const PARTITION_POLICY = 'hash-primary-key';
/** The schema stage publishes one CREATE TABLE message to the data topic before the rows. */
const SCHEMA_MESSAGES = 1;
const BURST_TRANSACTIONS = 200;
const BURST_ROWS_PER_TRANSACTION = 1_000;
const LATENCY_ROWS_PER_SECOND = 5_000;
const LATENCY_ROWS_PER_TRANSACTION = 10;
const LATENCY_WRITERS = 4;
const RSS_SAMPLE_MS = 200;

type Format = 'canal-json' | 'dts-avro';
const formatLabels: Record<Format, string> = { 'canal-json': 'Canal JSON', 'dts-avro': 'DTS Avro' };

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const FLOOR_PRODUCER = 'floors/Kafka producer, 500 B records, acks=all';
const FLOOR_SCAN = 'floors/mysql2 full-table SELECT *, rows discarded';

type GcMode = 'throughput' | 'memory';

/** A comma-separated list from the environment, each item one of `allowed`. */
function readChoices<T extends string>(name: string, fallback: string, allowed: readonly T[]): T[] {
  const items = (process.env[name] ?? fallback).split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new Error(`${name}: unknown value ${item} (${allowed.join(', ')})`);
    }
  }
  return items as T[];
}

function readFormats(): Format[] {
  return readChoices('BENCH_E2E_FORMATS', 'canal-json,dts-avro', ['canal-json', 'dts-avro']);
}

/**
 * The worker's GC modes to run (TIDEWATER_WORKER_GC): both by default, so the report shows what
 * the memory-saving mode costs and saves; the default mode's figures keep their plain labels.
 */
function readGcModes(): GcMode[] {
  return readChoices('BENCH_E2E_GC_MODES', 'throughput,memory', ['throughput', 'memory']);
}

/**
 * With a CPU profile being written, logs the time on the profile's clock (CLOCK_MONOTONIC, µs),
 * so a profile can be cut into phases.
 */
function markPhase(log: (message: string) => void, phase: string): void {
  if (process.env.BENCH_CPU_PROF_DIR === undefined) return;
  log(`phase ${phase} at ${process.hrtime.bigint() / 1000n} µs`);
}

// The worker process -------------------------------------------------------------------------

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** The allocator and GC mode the worker reported at start (`jemalloc, GC throughput`). */
  memorySettings(): string;
  /** Log lines so far whose message is `message` (the worker logs one JSON object per line). */
  countLogged(message: string): number;
  /** Highest VmRSS sampled and the kernel's VmHWM, in bytes. */
  peakRssBytes(): number;
  /** Highest VmRSS sampled since the last call (or the start), in bytes; starts a new window. */
  takeWindowPeakBytes(): number;
  /** VmRSS now, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** `/proc/<pid>/status` fields in bytes (VmRSS, VmHWM), or null once the process is gone. */
function readMemory(pid: number): { rss: number; hwm: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/**
 * The product's worker as operators run it: the bundle (`apps/worker/dist/main.mjs`, built by
 * the section) started by `apps/worker/dist/start.sh` (from `apps/worker/start.sh`) with its
 * launch settings. The script execs Node, so the child's pid is the worker's.
 */
async function startWorker(environment: Record<string, string>): Promise<WorkerProcess> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const extraFlags = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(process.env.BENCH_WORKER_NODE_FLAGS ? [process.env.BENCH_WORKER_NODE_FLAGS] : []),
  ];
  const child = spawn('sh', ['apps/worker/dist/start.sh'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...environment,
      TIDEWATER_NODE: process.execPath,
      ...(extraFlags.length === 0 ? {} : { TIDEWATER_WORKER_NODE_FLAGS: extraFlags.join(' ') }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partialLine = '';
  let allocator = 'unknown';
  let gcMode = 'unknown';
  const logged = new Map<string, number>();
  const logFile = process.env.BENCH_WORKER_LOG;
  const keep = (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-20_000);
    const lines = (partialLine + text).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const message = /"message":"([^"]*)"/.exec(line)?.[1];
      if (message === 'worker started') {
        allocator = /"allocator":"([^"]+)"/.exec(line)?.[1] ?? allocator;
        gcMode = /"gc":"([^"]+)"/.exec(line)?.[1] ?? gcMode;
      }
      if (message !== undefined) logged.set(message, (logged.get(message) ?? 0) + 1);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let peak = 0;
  let windowPeak = 0;
  let lastRss = 0;
  const sample = () => {
    if (child.pid === undefined) return;
    const memory = readMemory(child.pid);
    if (memory === null) return;
    peak = Math.max(peak, memory.rss, memory.hwm);
    windowPeak = Math.max(windowPeak, memory.rss);
    lastRss = memory.rss;
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  sampler.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: WorkerProcess = {
    child,
    output: () => tail,
    memorySettings: () => `${allocator}, GC ${gcMode}`,
    countLogged: (message) => logged.get(message) ?? 0,
    peakRssBytes: () => {
      sample();
      return peak;
    },
    takeWindowPeakBytes: () => {
      sample();
      const value = windowPeak;
      windowPeak = lastRss;
      return value;
    },
    rssBytes: () => {
      sample();
      return lastRss;
    },
    async stop() {
      sample();
      clearInterval(sampler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM: the worker checkpoints, closes and exits (and writes its CPU profile).
      child.kill('SIGTERM');
      const timeout = sleep(30_000, undefined, { ref: false }).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  const deadline = Date.now() + 120_000;
  while (!tail.includes('"worker started"')) {
    if (child.exitCode !== null || child.signalCode !== null) {
      clearInterval(sampler);
      throw new Error(`the worker exited at start:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await worker.stop();
      throw new Error(`the worker did not start within 120 s:\n${tail}`);
    }
    await sleep(100);
  }
  return worker;
}

// Kafka --------------------------------------------------------------------------------------

type Offsets = Map<number, number>;

async function createBenchTopic(admin: Admin, format: Format): Promise<string> {
  const topic = `bench-e2e-${format}-${randomBytes(4).toString('hex')}`;
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: PARTITIONS,
        replicationFactor: 1,
        configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
      },
    ],
    waitForLeaders: true,
  });
  return topic;
}

async function endOffsets(admin: Admin, topic: string): Promise<Offsets> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((offset) => [offset.partition, Number(offset.high)]));
}

function total(offsets: Offsets): number {
  let sum = 0;
  for (const value of offsets.values()) sum += value;
  return sum;
}

/**
 * Polls the topic's end offsets until they sum to `expected`. Fails when the worker dies or
 * nothing moved for `stallMs`.
 */
async function waitForOffsets(
  admin: Admin,
  topic: string,
  expected: number,
  worker: WorkerProcess,
  stallMs = 60_000,
): Promise<Offsets> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const offsets = await endOffsets(admin, topic);
    const sum = total(offsets);
    if (sum >= expected) return offsets;
    if (sum !== last) {
      last = sum;
      movedAt = Date.now();
    }
    // Killed by a signal (an out-of-memory abort, say), a process has a signalCode, no exitCode.
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker exited with ${sum}/${expected} messages:\n${worker.output()}`);
    }
    if (Date.now() - movedAt > stallMs) {
      throw new Error(
        `the topic stopped at ${sum}/${expected} messages for ${stallMs / 1000} s:\n${worker.output().slice(-3000)}`,
      );
    }
    await sleep(100);
  }
}

/**
 * Reads the messages in [from, to) of every partition and hands each one's broker timestamp
 * (LogAppendTime here) and value to `onMessage`.
 */
async function readRange(
  kafka: Kafka,
  topic: string,
  from: Offsets,
  to: Offsets,
  onMessage: (timestamp: number, value: Buffer | null) => void,
): Promise<void> {
  const remaining = new Set(
    [...to].filter(([partition, end]) => end > (from.get(partition) ?? 0)).map(([p]) => p),
  );
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `tidewater-bench-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const start = from.get(batch.partition) ?? 0;
        const end = to.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < start || offset >= end) continue;
          onMessage(Number(message.timestamp), message.value);
          if (offset === end - 1) remaining.delete(batch.partition);
        }
        if (remaining.size === 0) finish();
      },
    });
    for (const partition of remaining) {
      consumer.seek({ topic, partition, offset: String(from.get(partition) ?? 0) });
    }
    const timeout = sleep(180_000, undefined, { ref: false }).then(() => 'timeout' as const);
    if ((await Promise.race([done, timeout])) === 'timeout') {
      throw new Error(
        `reading ${topic} back timed out; partitions left: ${[...remaining].join(', ')}`,
      );
    }
  } finally {
    await consumer.disconnect();
  }
}

// The source ---------------------------------------------------------------------------------

function sourceOptions(endpoints: StackEndpoints): mysqlPromise.ConnectionOptions {
  const { mariadb } = endpoints;
  return {
    host: mariadb.host,
    port: mariadb.port,
    user: mariadb.rootUser,
    password: mariadb.rootPassword,
    database: DATABASE,
  };
}

/**
 * `k` values this run writes: a fresh block per run (so every UPDATE changes its rows and is
 * in the binlog), and within it the writer's transaction number, which the latency phase reads
 * back from each message.
 */
function stampBase(): number {
  return 1_000_000_000 + (Math.floor(Date.now() / 1000) % 50_000) * 20_000;
}

interface BurstResult {
  writeStartedAt: number;
  lastCommitAt: number;
}

/** 200 transactions of one 1,000-row UPDATE each, back to back on one connection. */
async function writeBurst(endpoints: StackEndpoints, base: number): Promise<BurstResult> {
  const connection = await mysqlPromise.createConnection(sourceOptions(endpoints));
  try {
    const writeStartedAt = Date.now();
    let lastCommitAt = writeStartedAt;
    for (let transaction = 0; transaction < BURST_TRANSACTIONS; transaction += 1) {
      const first = transaction * BURST_ROWS_PER_TRANSACTION + 1;
      await connection.query(`UPDATE ${TABLE} SET k = ? WHERE id BETWEEN ? AND ?`, [
        base + transaction,
        first,
        first + BURST_ROWS_PER_TRANSACTION - 1,
      ]);
      lastCommitAt = Date.now();
    }
    return { writeStartedAt, lastCommitAt };
  } finally {
    await connection.end();
  }
}

/**
 * A steady load of LATENCY_ROWS_PER_SECOND row changes in small autocommit transactions, paced
 * on a fixed schedule by several connections (so one slow commit does not hold the others);
 * returns each transaction's commit time as the writer saw it (the statement's OK packet).
 */
async function writeSteadyLoad(
  endpoints: StackEndpoints,
  base: number,
  seconds: number,
): Promise<{ commits: Float64Array; startedAt: number; endedAt: number }> {
  const transactionsPerSecond = LATENCY_ROWS_PER_SECOND / LATENCY_ROWS_PER_TRANSACTION;
  const transactions = Math.round(transactionsPerSecond * seconds);
  if (transactions + BURST_TRANSACTIONS >= 20_000) throw new Error('the latency load is too long');
  const commits = new Float64Array(transactions);
  const connections = await Promise.all(
    Array.from({ length: LATENCY_WRITERS }, () =>
      mysqlPromise.createConnection(sourceOptions(endpoints)),
    ),
  );
  try {
    let next = 0;
    const startedAt = Date.now() + 50;
    await Promise.all(
      connections.map(async (connection) => {
        for (;;) {
          const transaction = next;
          next += 1;
          if (transaction >= transactions) return;
          const due = startedAt + (transaction * 1000) / transactionsPerSecond;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          const first = ((transaction * LATENCY_ROWS_PER_TRANSACTION) % ROWS) + 1;
          await connection.query(`UPDATE ${TABLE} SET k = ? WHERE id BETWEEN ? AND ?`, [
            base + BURST_TRANSACTIONS + transaction,
            first,
            first + LATENCY_ROWS_PER_TRANSACTION - 1,
          ]);
          commits[transaction] = Date.now();
        }
      }),
    );
    return { commits, startedAt, endedAt: Date.now() };
  } finally {
    await Promise.all(connections.map((connection) => connection.end()));
  }
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

// One run ------------------------------------------------------------------------------------

interface RunFigures {
  snapshotRowsPerSecond: number;
  snapshotSeconds: number;
  burstEventsPerSecond: number;
  burstWriteRowsPerSecond: number;
  lastEventBehindSeconds: number;
  catchUpEventsPerSecond: number;
  catchUpSeconds: number;
  /** Burst messages appended after the last write's commit: the backlog the reader had left. */
  burstBacklogEvents: number;
  latency: {
    p50: number;
    p99: number;
    max: number;
    rowsPerSecond: number;
    /** The load's last message appended − its last commit (s). */
    lastEventBehindSeconds: number;
  } | null;
  peakRssMegabytes: number;
  /** VmRSS of the started worker before the task is queued. */
  idleRssAtStartMegabytes: number;
  /** Highest VmRSS sampled from queuing the run to the snapshot's last message. */
  snapshotPeakRssMegabytes: number;
  /** Highest VmRSS sampled from then to the end of the latency load. */
  streamingPeakRssMegabytes: number;
  /** VmRSS a few seconds after the run stopped, the worker idle again. */
  idleRssAfterMegabytes: number;
  /** The allocator and GC mode, as the worker reported them. */
  memorySettings: string;
}

const MB = 1024 * 1024;
/**
 * How long the worker is left idle before its idle RSS is read: it gives memory back 2 s after
 * its last job ends (apps/worker/src/idle-memory.ts).
 */
const IDLE_SETTLE_MS = 5_000;

async function waitForRunStop(worker: WorkerProcess, stoppedBefore: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (worker.countLogged('run stopped') === stoppedBefore) {
    if (Date.now() > deadline)
      throw new Error(`the run did not stop within 120 s of the pause:\n${worker.output()}`);
    await sleep(100);
  }
}

async function runOnce(options: {
  endpoints: StackEndpoints;
  context: EngineContext;
  workerEnvironment: Record<string, string>;
  kafka: Kafka;
  admin: Admin;
  format: Format;
  latencySeconds: number;
  log(message: string): void;
}): Promise<RunFigures> {
  const { endpoints, context, kafka, admin, format, log } = options;
  const worker = await startWorker(options.workerEnvironment);
  let topic: string | null = null;
  let taskId: string | null = null;
  try {
    await sleep(IDLE_SETTLE_MS);
    const idleRssAtStartMegabytes = worker.rssBytes() / MB;
    worker.takeWindowPeakBytes();
    topic = await createBenchTopic(admin, format);
    const task = await createTask(context, {
      name: `bench ${format}`,
      source: {
        type: 'mariadb',
        host: endpoints.mariadb.host,
        port: endpoints.mariadb.port,
        user: endpoints.mariadb.rootUser,
        password: endpoints.mariadb.rootPassword,
      },
      destination: { ...brokerAddress(endpoints), topic },
      format,
      partitionPolicy: PARTITION_POLICY,
      objects: [{ kind: 'table', database: DATABASE, table: TABLE }],
    });
    taskId = task.id;
    // The bench measures the run: the precheck has its own tests.
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });

    // Snapshot: queued → last message appended.
    markPhase(log, 'snapshot');
    const startedAt = Date.now();
    await enqueueRun(context.queues, task.id);
    const afterSnapshot = await waitForOffsets(admin, topic, ROWS + SCHEMA_MESSAGES, worker);
    markPhase(log, 'snapshot delivered');
    const snapshotPeakRssMegabytes = worker.takeWindowPeakBytes() / MB;
    let lastAppend = 0;
    const lastOffsets = new Map(
      [...afterSnapshot].map(([partition, end]) => [partition, Math.max(0, end - 1)]),
    );
    await readRange(kafka, topic, lastOffsets, afterSnapshot, (timestamp) => {
      lastAppend = Math.max(lastAppend, timestamp);
    });
    const snapshotSeconds = (lastAppend - startedAt) / 1000;
    log(`${format}: snapshot ${ROWS} rows in ${snapshotSeconds.toFixed(2)} s`);

    // Streaming starts at the snapshot's hand-over position; wait until it actually streams.
    const deadline = Date.now() + 120_000;
    while ((await context.runs.readRunState(task.id)).stage !== 'incremental') {
      if (Date.now() > deadline)
        throw new Error(`the task never reached incremental:\n${worker.output()}`);
      await sleep(100);
    }
    await sleep(2_000);

    // The burst.
    const base = stampBase();
    const beforeBurst = await endOffsets(admin, topic);
    markPhase(log, 'burst');
    const burst = await writeBurst(endpoints, base);
    const burstRows = BURST_TRANSACTIONS * BURST_ROWS_PER_TRANSACTION;
    const afterBurst = await waitForOffsets(admin, topic, total(beforeBurst) + burstRows, worker);
    markPhase(log, 'burst delivered');
    let firstBurstAppend = Number.POSITIVE_INFINITY;
    let lastBurstAppend = 0;
    let burstBacklogEvents = 0;
    await readRange(kafka, topic, beforeBurst, afterBurst, (timestamp) => {
      firstBurstAppend = Math.min(firstBurstAppend, timestamp);
      lastBurstAppend = Math.max(lastBurstAppend, timestamp);
      if (timestamp > burst.lastCommitAt) burstBacklogEvents += 1;
    });
    const burstMessages = total(afterBurst) - total(beforeBurst);
    const burstEventsPerSecond =
      burstMessages / Math.max(0.001, (lastBurstAppend - firstBurstAppend) / 1000);
    const burstWriteRowsPerSecond =
      burstRows / ((burst.lastCommitAt - burst.writeStartedAt) / 1000);
    const lastEventBehindSeconds = (lastBurstAppend - burst.lastCommitAt) / 1000;
    log(
      `${format}: burst ${Math.round(burstEventsPerSecond)} events/s (written at ${Math.round(burstWriteRowsPerSecond)} rows/s), ` +
        `last event ${lastEventBehindSeconds.toFixed(3)} s behind the last write (${burstBacklogEvents} events still to send then)`,
    );

    // Catch-up: pause (the run checkpoints and stops), write the burst again, resume.
    markPhase(log, 'catch-up');
    const stoppedBefore = worker.countLogged('run stopped');
    await pauseTask(context, task.id);
    await waitForRunStop(worker, stoppedBefore);
    const beforeCatchUp = await endOffsets(admin, topic);
    // Negative `k`: every row changes again, and no value of the other phases repeats.
    await writeBurst(endpoints, -base);
    const resumedAt = Date.now();
    await resumeTask(context, task.id);
    const afterCatchUp = await waitForOffsets(
      admin,
      topic,
      total(beforeCatchUp) + burstRows,
      worker,
    );
    markPhase(log, 'catch-up delivered');
    let lastCatchUpAppend = 0;
    await readRange(kafka, topic, beforeCatchUp, afterCatchUp, (timestamp) => {
      lastCatchUpAppend = Math.max(lastCatchUpAppend, timestamp);
    });
    const catchUpSeconds = (lastCatchUpAppend - resumedAt) / 1000;
    const catchUpEventsPerSecond = (total(afterCatchUp) - total(beforeCatchUp)) / catchUpSeconds;
    log(
      `${format}: catch-up ${Math.round(catchUpEventsPerSecond)} events/s (${burstRows} row changes in ${catchUpSeconds.toFixed(2)} s from the resume)`,
    );

    // Steady load: Canal JSON carries `k` as text, which maps each message to its commit.
    let latency: RunFigures['latency'] = null;
    if (format === 'canal-json' && options.latencySeconds > 0) {
      await sleep(1_000);
      const beforeLoad = await endOffsets(admin, topic);
      markPhase(log, 'steady load');
      const load = await writeSteadyLoad(endpoints, base, options.latencySeconds);
      const loadRows = load.commits.length * LATENCY_ROWS_PER_TRANSACTION;
      const afterLoad = await waitForOffsets(admin, topic, total(beforeLoad) + loadRows, worker);
      const latencies = new Float64Array(total(afterLoad) - total(beforeLoad));
      let count = 0;
      let lastLoadAppend = 0;
      await readRange(kafka, topic, beforeLoad, afterLoad, (timestamp, value) => {
        lastLoadAppend = Math.max(lastLoadAppend, timestamp);
        const message = JSON.parse(value?.toString('utf8') ?? 'null') as {
          data: Array<{ k: string }> | null;
        } | null;
        const transaction = Number(message?.data?.[0]?.k) - base - BURST_TRANSACTIONS;
        const committedAt = load.commits[transaction];
        if (committedAt !== undefined && committedAt > 0)
          latencies[count++] = timestamp - committedAt;
      });
      const sorted = latencies.subarray(0, count).sort();
      const rowsPerSecond = loadRows / ((load.endedAt - load.startedAt) / 1000);
      latency = {
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted[sorted.length - 1] as number,
        rowsPerSecond,
        lastEventBehindSeconds: (lastLoadAppend - Math.max(...load.commits)) / 1000,
      };
      log(
        `${format}: ${Math.round(rowsPerSecond)} rows/s for ${options.latencySeconds} s, commit-to-Kafka ` +
          `p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms (${count} messages), ` +
          `last event ${latency.lastEventBehindSeconds.toFixed(3)} s behind the last write`,
      );
    }

    const streamingPeakRssMegabytes = worker.takeWindowPeakBytes() / MB;
    // Idle again: the run paused (checkpointed and stopped), the worker waiting for work.
    const stoppedAtEnd = worker.countLogged('run stopped');
    await pauseTask(context, task.id);
    await waitForRunStop(worker, stoppedAtEnd);
    await sleep(IDLE_SETTLE_MS);
    const idleRssAfterMegabytes = worker.rssBytes() / MB;
    const peakRssMegabytes = worker.peakRssBytes() / MB;
    log(
      `${format}: worker (${worker.memorySettings()}) RSS idle ${idleRssAtStartMegabytes.toFixed(0)} MB at start, ` +
        `peak ${snapshotPeakRssMegabytes.toFixed(0)} MB in the snapshot, ${streamingPeakRssMegabytes.toFixed(0)} MB streaming, ` +
        `idle ${idleRssAfterMegabytes.toFixed(0)} MB after; peak ${peakRssMegabytes.toFixed(0)} MB (VmHWM)`,
    );
    return {
      snapshotRowsPerSecond: ROWS / snapshotSeconds,
      snapshotSeconds,
      burstEventsPerSecond,
      burstWriteRowsPerSecond,
      lastEventBehindSeconds,
      burstBacklogEvents,
      catchUpEventsPerSecond,
      catchUpSeconds,
      latency,
      peakRssMegabytes,
      idleRssAtStartMegabytes,
      snapshotPeakRssMegabytes,
      streamingPeakRssMegabytes,
      idleRssAfterMegabytes,
      memorySettings: worker.memorySettings(),
    };
  } finally {
    // Release frees the replica slot; the worker then stops and exits.
    if (taskId !== null)
      await context.runs.compareAndSetStatus(taskId, ['running', 'paused'], 'released');
    await worker.stop();
    // A million messages per run: give the disk back.
    if (topic !== null) await admin.deleteTopics({ topics: [topic] });
  }
}

export default defineSection({
  title: 'End to end: the task in a worker process',
  description:
    'A task (schema, full and incremental migration; partition policy hash-primary-key, so one ' +
    'message per row) on the 1,000,000-row sysbench table `bench.sbtest1` into a fresh ' +
    '3-partition topic with LogAppendTime, run by the product worker (`apps/worker`) in its own ' +
    'process. Snapshot: from queuing the run to the append time of the last message, checkpoints ' +
    'included. Streaming: a burst of 200 transactions × 1,000-row UPDATEs (one writer connection), ' +
    'events/s from the first to the last burst message, and the last message against the last ' +
    "write's commit. Catch-up: the task paused, the same 200,000 row changes written, the task " +
    'resumed; events/s from the resume to the last message (the reader not paced by the writer; ' +
    'target ≥ 0.8× the producer floor, issue 13). Latency: 5,000 row changes/s in 10-row transactions (4 writer connections) ' +
    'for 20 s, append time minus the commit the writer saw, over every message. Peak RSS: VmHWM of ' +
    "the worker process. Each format runs in the worker's default GC mode and again with " +
    'TIDEWATER_WORKER_GC=memory (", GC memory" figures). Targets (issue 6): snapshot ≥ 90k rows/s, streaming ≥ 55k events/s, last ' +
    'event < 0.5 s behind, p99 < 500 ms at 5k events/s, peak RSS < 300 MB. Not measured here, from ' +
    'issue 6 for the same table on a machine of this kind: Debezium 3.0 (MariaDB connector on Kafka ' +
    'Connect) snapshots at 42k rows/s out of the box and 61k tuned, streams 200k row changes at ' +
    '30k/37k events/s with the last event 2.9 s/1.9 s behind, and peaks at about 2 GB RSS.',
  services: ['postgres', 'redis', 'mariadb', 'kafka'],
  async run({ section, endpoints, runs, log }): Promise<Figure[]> {
    const formats = readFormats();
    const gcModes = readGcModes();
    const latencySeconds = Number(process.env.BENCH_E2E_LATENCY_SECONDS ?? '20');
    await ensureScanTable(endpoints, log);
    log('building the worker (apps/worker/build.mjs)');
    execFileSync(process.execPath, ['apps/worker/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    const workerEnvironment = {
      DATABASE_URL: withDatabase(endpoints.postgres.url, 'tidewater_bench'),
      REDIS_URL: endpoints.redis.url,
      TIDEWATER_SECRET_KEY: randomBytes(32).toString('base64'),
      TIDEWATER_QUEUE_PREFIX: `tidewater-bench-${randomBytes(4).toString('hex')}`,
      TIDEWATER_KAFKA_BROKERS: endpoints.kafka.brokers.join(','),
    };
    await migrateDatabase(workerEnvironment.DATABASE_URL);
    const context = createEngineContext(readEnvironment({ ...process.env, ...workerEnvironment }));
    const kafka = new Kafka({
      clientId: 'tidewater-bench',
      brokers: endpoints.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const figures: Figure[] = [];
    try {
      for (const [format, gcMode] of formats.flatMap((format) =>
        gcModes.map((mode) => [format, mode] as const),
      )) {
        const label =
          gcMode === 'throughput' ? formatLabels[format] : `${formatLabels[format]}, GC memory`;
        const results: RunFigures[] = [];
        for (let run = 1; run <= runs; run += 1) {
          log(`${label} run ${run}/${runs}`);
          results.push(
            await runOnce({
              endpoints,
              context,
              workerEnvironment: { ...workerEnvironment, TIDEWATER_WORKER_GC: gcMode },
              kafka,
              admin,
              format,
              latencySeconds,
              log,
            }),
          );
        }
        const of = (pick: (result: RunFigures) => number) => results.map(pick);
        figures.push(
          summarize(
            section,
            `${label} snapshot end to end`,
            'rows/s',
            of((r) => r.snapshotRowsPerSecond),
            {
              ratioTo: FLOOR_PRODUCER,
              note: `${ROWS.toLocaleString('en-US')} rows + 1 schema message, run queued → last message appended; median ${median(of((r) => r.snapshotSeconds)).toFixed(1)} s; the mysql2 floor is ${FLOOR_SCAN.split('/')[1]}`,
            },
          ),
          summarize(
            section,
            `${label} streaming burst`,
            'events/s',
            of((r) => r.burstEventsPerSecond),
            {
              ratioTo: FLOOR_PRODUCER,
              note: `${(BURST_TRANSACTIONS * BURST_ROWS_PER_TRANSACTION).toLocaleString('en-US')} UPDATE row changes, first → last message appended`,
            },
          ),
          summarize(
            section,
            `${label} burst written at the source`,
            'rows/s',
            of((r) => r.burstWriteRowsPerSecond),
            {
              note: 'the writer: first UPDATE sent → last commit; streaming cannot be faster than this',
            },
          ),
          summarize(
            section,
            `${label} last event behind the last write`,
            's',
            of((r) => r.lastEventBehindSeconds),
            {
              note: "last burst message's append time − the last UPDATE's commit as the writer saw it; the writer outruns the product here, so this is the backlog's drain time (next row)",
            },
          ),
          summarize(
            section,
            `${label} burst backlog at the last write`,
            'events',
            of((r) => r.burstBacklogEvents),
            {
              note: 'burst messages appended after the last UPDATE committed: what the reader still had to send when the writer stopped',
            },
          ),
          summarize(
            section,
            `${label} binlog catch-up`,
            'events/s',
            of((r) => r.catchUpEventsPerSecond),
            {
              ratioTo: FLOOR_PRODUCER,
              note: `${(BURST_TRANSACTIONS * BURST_ROWS_PER_TRANSACTION).toLocaleString('en-US')} UPDATE row changes (${BURST_TRANSACTIONS} × ${BURST_ROWS_PER_TRANSACTION.toLocaleString('en-US')}) written while the task was paused, resume → last message appended; median ${median(of((r) => r.catchUpSeconds)).toFixed(1)} s`,
            },
          ),
        );
        const latencyRuns = results.flatMap((result) => (result.latency ? [result.latency] : []));
        if (latencyRuns.length > 0) {
          figures.push(
            summarize(
              section,
              `${label} commit-to-Kafka latency p50 at 5k/s`,
              'ms',
              latencyRuns.map((l) => l.p50),
              {
                note: `each message's LogAppendTime − its transaction's commit seen by the writer, every message of ${latencySeconds} s`,
              },
            ),
            summarize(
              section,
              `${label} commit-to-Kafka latency p99 at 5k/s`,
              'ms',
              latencyRuns.map((l) => l.p99),
            ),
            summarize(
              section,
              `${label} commit-to-Kafka latency max at 5k/s`,
              'ms',
              latencyRuns.map((l) => l.max),
            ),
            summarize(
              section,
              `${label} last event behind the last write at 5k/s`,
              's',
              latencyRuns.map((l) => l.lastEventBehindSeconds),
              {
                note: "the writer below the product's throughput: the load's last message appended − its last commit",
              },
            ),
            summarize(
              section,
              `${label} latency load achieved`,
              'rows/s',
              latencyRuns.map((l) => l.rowsPerSecond),
              {
                note: `${LATENCY_ROWS_PER_TRANSACTION}-row UPDATE transactions on ${LATENCY_WRITERS} connections, paced`,
              },
            ),
          );
        }
        figures.push(
          summarize(
            section,
            `${label} worker peak RSS`,
            'MB',
            of((r) => r.peakRssMegabytes),
            {
              note: `max of VmHWM and VmRSS sampled every 200 ms, whole run (start, snapshot, streaming); 2^20 bytes; allocator ${[...new Set(results.map((r) => r.memorySettings))].join('; ')}`,
            },
          ),
          summarize(
            section,
            `${label} worker peak RSS, snapshot`,
            'MB',
            of((r) => r.snapshotPeakRssMegabytes),
            { note: 'VmRSS sampled every 200 ms, run queued → last snapshot message' },
          ),
          summarize(
            section,
            `${label} worker peak RSS, streaming`,
            'MB',
            of((r) => r.streamingPeakRssMegabytes),
            { note: 'VmRSS sampled every 200 ms, burst, catch-up and latency load' },
          ),
          summarize(
            section,
            `${label} worker RSS idle`,
            'MB',
            of((r) => Math.max(r.idleRssAtStartMegabytes, r.idleRssAfterMegabytes)),
            {
              note: `VmRSS ${IDLE_SETTLE_MS / 1000} s after the worker started and ${IDLE_SETTLE_MS / 1000} s after the run paused at the end, the larger; median at start ${median(of((r) => r.idleRssAtStartMegabytes)).toFixed(0)} MB, after ${median(of((r) => r.idleRssAfterMegabytes)).toFixed(0)} MB`,
            },
          ),
        );
      }
    } finally {
      await admin.disconnect();
      await context.close();
    }
    return figures;
  },
});

/** The task's Kafka host(s) and port from the stack's PLAINTEXT listeners (one port for all). */
function brokerAddress(endpoints: StackEndpoints): { hosts: string; port: number } {
  const brokers = endpoints.kafka.brokers.map((broker) => broker.split(':'));
  return {
    hosts: brokers.map(([host]) => host).join(','),
    port: Number(brokers[0]?.[1] ?? 9092),
  };
}

/** Replaces the database name (the URL's path) of a PostgreSQL URL. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
