/**
 * The incremental stream: binlog events from a start position turned into `ChangeEvent`s with
 * transaction boundaries, positions and tracked schemas, as an async iterator.
 *
 * Flow control: events are decoded when the consumer asks for the next one, and the replication
 * socket pauses once `highWaterBytes` of undecoded events wait (binlog-client.ts), so memory is
 * bounded whatever the source writes.
 *
 * Positions and resume: every event carries the position after it. A commit (XID or COMMIT),
 * a DDL outside a transaction and a heartbeat between transactions are resume points:
 * `records()` yields each event with its `BinlogResumePoint` (the position after it and the
 * schema state as of it, both fixed when the event is read), which the caller persists once the
 * event is acknowledged downstream; a stream opened from there continues with the next
 * transaction, nothing lost or repeated.
 *
 * Reconnect: when the connection drops, the stream reconnects (backoff 1 s doubling to 30 s, for
 * `retryWindowMs`) from the last checkpoint it delivered, and skips the events of the
 * interrupted transaction it had already delivered, so the consumer sees each event once.
 * Failures that retrying cannot fix (purged binlog, privileges, malformed events) end the
 * iteration with their TidewaterError.
 */
import type { ChangeEvent, SourcePosition } from '@tidewater/change-events';
import { TidewaterError, isTidewaterError, toTidewaterError } from '@tidewater/errors';
import type { Connection } from 'mysql2/promise';
import { connectSource, type SourceConnection, type SourceConnectionOptions } from '../connect';
import type { SourceFlavour } from '../flavour';
import { SYSTEM_DATABASES } from '../introspect';
import { readSchemaHistory, readTrackedTable } from '../schema-reader';
import { BinlogClient, type DumpStart } from './binlog-client';
import { BinlogEventDecoder, type BinlogEvent } from './event-decoder';
import { ChangeAssembler } from './change-assembler';
import { SchemaState, type SerializedSchemaHistory, type TrackedTable } from './schema-history';

export interface BinlogStartPosition {
  file: string;
  pos: number;
  /** The GTID set at that position (MariaDB `0-1-100`, MySQL `uuid:1-100`); null without GTIDs. */
  gtidSet?: string | null;
}

/**
 * Where a reader resumes once an event is acknowledged: the position after it and the schema
 * state as of it. The state is immutable and shared until a DDL changes it, so a caller can
 * tell a changed history by identity and store it only then.
 */
export interface BinlogResumePoint {
  position: SourcePosition;
  schema: SchemaState;
}

/** An event as the stream reads it, with its resume point (null inside a transaction). */
export interface BinlogRecord {
  event: ChangeEvent;
  resume: BinlogResumePoint | null;
}

/** A resume point in its stored form. */
export interface BinlogCheckpoint {
  position: SourcePosition;
  schemaHistory: SerializedSchemaHistory;
}

export interface BinlogWarning {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface BinlogStreamOptions {
  source: SourceConnectionOptions;
  start: BinlogStartPosition;
  /**
   * Start by file and position (the default) or by the GTID set, which survives a failover to
   * another server of the same replication topology. PolarDB-X has no GTIDs.
   */
  startBy?: 'position' | 'gtid';
  /**
   * The schema history saved with the start position (stored form, or the state itself, which
   * the stream then starts from as is); read from the source when absent.
   */
  schemaHistory?: SerializedSchemaHistory | SchemaState;
  /** Databases whose tables are decoded (and read for a missing history); all user databases when absent. */
  databases?: string[];
  /** Finer selection of tables to decode; rows of other tables are skipped undecoded. */
  isCaptured?: (database: string, table: string) => boolean;
  /**
   * Tables whose rows must arrive whole: a partial row image of one (a session with
   * binlog_row_image MINIMAL or NOBLOB) fails the stream with BINLOG_PARTIAL_ROW_IMAGE. Every
   * decoded table when absent. Partial rows of other decoded tables are left out, their
   * transactions still delivered.
   */
  requiresFullRowImage?: (database: string, table: string) => boolean;
  /** Replica server id; must be unique among the source's replicas. Random when absent. */
  serverId?: number;
  heartbeatIntervalMs?: number;
  /** How long to keep reconnecting after the connection is lost ("retry time for failed connections"). */
  retryWindowMs?: number;
  /** Undecoded bytes held before the socket is paused. */
  highWaterBytes?: number;
  signal?: AbortSignal;
  onWarning?: (warning: BinlogWarning) => void;
}

interface ResumePoint {
  file: string;
  pos: number;
  gtidText: string | null;
  schema: SchemaState;
}

const DEFAULT_HEARTBEAT_MS = 5_000;
const DEFAULT_RETRY_WINDOW_MS = 10 * 60_000;
const DEFAULT_HIGH_WATER_BYTES = 8 * 1024 * 1024;
const MAX_BACKOFF_MS = 30_000;

function randomServerId(): number {
  // Away from the small ids operators give their servers by hand.
  return 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Opens the stream: reads the schema history if none was given and starts the dump. */
export async function openBinlogStream(options: BinlogStreamOptions): Promise<BinlogStream> {
  const stream = new BinlogStream(options);
  try {
    await stream.open();
  } catch (error) {
    stream.close();
    throw error;
  }
  return stream;
}

export class BinlogStream implements AsyncIterable<ChangeEvent> {
  private readonly options: BinlogStreamOptions;
  private readonly abort = new AbortController();
  private readonly serverId: number;
  private client: BinlogClient | null = null;
  private decoder: BinlogEventDecoder = new BinlogEventDecoder(false);
  private queryConnection: SourceConnection | null = null;
  private flavour: SourceFlavour = 'mysql';
  private assembler: ChangeAssembler | null = null;
  private resume: ResumePoint;
  /** Events delivered since the resume point; after a reconnect that many are skipped. */
  private deliveredSinceResume = 0;
  private skipOnReconnect = 0;
  private failingSince: number | null = null;
  private reconnectAttempts = 0;
  private isFinished = false;
  /** Change events made from the last binlog event and not yet handed out (at most two). */
  private readonly pending: ChangeEvent[] = [];
  /**
   * The events of a MySQL 8 transaction payload not yet processed: they are decoded one at a
   * time as the consumer asks, so only the payload itself is held, never its change events.
   */
  private embedded: Iterator<BinlogEvent> | null = null;

  constructor(options: BinlogStreamOptions) {
    this.options = options;
    this.serverId = options.serverId ?? randomServerId();
    this.resume = {
      file: options.start.file,
      pos: options.start.pos,
      gtidText: options.start.gtidSet ?? null,
      schema: SchemaState.create({ serverCharset: 'utf8mb4', isCaseInsensitive: false }),
    };
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted) this.close();
  }

  /** The position after the last event delivered. */
  get position(): SourcePosition {
    return (
      this.assembler?.position ?? {
        file: this.resume.file,
        pos: this.resume.pos,
        gtidSet: this.resume.gtidText,
      }
    );
  }

  /** Undecoded event bytes held in memory (bounded by `highWaterBytes` plus one socket read). */
  get bufferedBytes(): number {
    return this.client?.bufferedBytes ?? 0;
  }

  async open(): Promise<void> {
    const { options } = this;
    const queryConnection = await this.getQueryConnection();
    this.flavour = queryConnection.server.flavour;
    const history =
      options.schemaHistory ??
      (await readSchemaHistory(queryConnection.connection, { databases: options.databases }));
    const schema = history instanceof SchemaState ? history : SchemaState.fromJSON(history);
    this.resume = { ...this.resume, schema };
    await this.connectWithRetry();
  }

  /** Every event with its resume point, in binlog order. */
  records(): AsyncIterable<BinlogRecord> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const record = await this.nextRecord();
          return record ? { value: record, done: false } : { value: undefined, done: true };
        },
        return: async () => {
          this.close();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  /** Stops the stream and waits until its dump thread on the source has ended. */
  async release(): Promise<void> {
    this.close();
    await this.killing;
  }

  /**
   * Stops the stream; the iterator ends. The dump thread on the source is ended too (see
   * `BinlogClient.killOnServer`), so the replica slot is free at once; `release` waits for it.
   */
  close(): void {
    if (!this.abort.signal.aborted) this.abort.abort();
    const client = this.client;
    this.client = null;
    if (client) {
      this.killing = client.killOnServer().catch((error: unknown) => {
        this.warn(
          'BINLOG_DUMP_NOT_KILLED',
          'The dump thread on the source could not be ended; the server ends it at its next heartbeat.',
          {
            error: error instanceof Error ? error.message : String(error),
          },
        );
      });
    }
    const queryConnection = this.queryConnection;
    this.queryConnection = null;
    if (queryConnection) queryConnection.connection.destroy();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return {
      next: async () => {
        const record = await this.nextRecord();
        return record ? { value: record.event, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  private killing: Promise<void> = Promise.resolve();

  private warn(code: string, message: string, details: Record<string, unknown> = {}): void {
    this.options.onWarning?.({ code, message, details });
  }

  private isCaptured(database: string, table: string): boolean {
    if (SYSTEM_DATABASES.has(database.toLowerCase())) return false;
    const { databases, isCaptured } = this.options;
    if (databases && !databases.includes(database)) return false;
    return isCaptured ? isCaptured(database, table) : true;
  }

  private async getQueryConnection(): Promise<SourceConnection> {
    if (!this.queryConnection) this.queryConnection = await connectSource(this.options.source);
    return this.queryConnection;
  }

  private async readTable(database: string, table: string): Promise<TrackedTable | null> {
    const connection = await this.getQueryConnection();
    return readTrackedTable(connection.connection as Connection, database, table);
  }

  private dumpStart(): DumpStart {
    const { resume } = this;
    if (this.options.startBy === 'gtid' && resume.gtidText) {
      if (this.flavour === 'mariadb') return { kind: 'mariadb-gtid', gtidState: resume.gtidText };
      if (this.flavour === 'mysql') return { kind: 'mysql-gtid', gtidSet: resume.gtidText };
    }
    return { kind: 'file', file: resume.file, pos: resume.pos };
  }

  /** (Re)starts the dump from the resume point. */
  private async connect(): Promise<void> {
    const client = new BinlogClient({
      source: this.options.source,
      serverId: this.serverId,
      start: this.dumpStart(),
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      highWaterBytes: this.options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      client.close();
      if (this.client === client) this.client = null;
      throw error;
    }
    if (this.abort.signal.aborted) {
      client.close();
      return;
    }
    this.flavour = client.flavour;
    this.decoder = new BinlogEventDecoder(client.checksumEnabled);
    const start = { ...this.resume, flavour: this.flavour };
    if (this.assembler) this.assembler.reset(start);
    else {
      this.assembler = new ChangeAssembler(
        {
          isCaptured: (database, table) => this.isCaptured(database, table),
          readTable: (database, table) => this.readTable(database, table),
          warn: (code, message, details) => this.warn(code, message, details),
          requiresFullRowImage: (database, table) =>
            this.options.requiresFullRowImage?.(database, table) ?? true,
        },
        start,
      );
    }
    // Everything delivered since the resume point comes again, byte for byte: skip that many.
    this.pending.length = 0;
    this.embedded = null;
    this.skipOnReconnect = this.deliveredSinceResume;
  }

  private async connectWithRetry(): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        await this.recover(error);
      }
    }
  }

  /** Handles a failure: throws when it is final, otherwise waits before the next attempt. */
  private async recover(error: unknown): Promise<void> {
    const failure = toTidewaterError(error);
    this.client?.close();
    this.client = null;
    if (this.abort.signal.aborted) return;
    if (!failure.isRetryable) throw failure;
    const now = Date.now();
    this.failingSince ??= now;
    const retryWindowMs = this.options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS;
    if (now - this.failingSince >= retryWindowMs) {
      throw new TidewaterError(
        'SOURCE_RETRY_EXHAUSTED',
        `The binlog stream could not reconnect to the source within ${Math.round(retryWindowMs / 1000)} s: ${failure.message}`,
        {
          category: 'unavailable',
          remedy: `${failure.remedy} Then resume the task; it continues from its last checkpoint.`,
          details: { ...failure.details, cause: failure.code },
          cause: failure,
        },
      );
    }
    const delay = Math.min(1000 * 2 ** this.reconnectAttempts, MAX_BACKOFF_MS, retryWindowMs);
    this.reconnectAttempts += 1;
    this.warn(
      'SOURCE_RECONNECTING',
      `${failure.message} Reconnecting in ${Math.round(delay / 1000)} s.`,
      {
        cause: failure.code,
        resumeFrom: `${this.resume.file}:${this.resume.pos}`,
        attempt: this.reconnectAttempts,
      },
    );
    await sleep(delay, this.abort.signal);
  }

  private async nextRecord(): Promise<BinlogRecord | null> {
    if (this.isFinished) return null;
    try {
      for (;;) {
        if (this.abort.signal.aborted) return this.finish();
        const assembler = this.assembler;
        if (this.pending.length > 0 && assembler) {
          const event = this.pending.shift()!;
          if (this.skipOnReconnect > 0) {
            // Delivered before the connection dropped.
            this.skipOnReconnect -= 1;
            continue;
          }
          this.failingSince = null;
          this.reconnectAttempts = 0;
          const resume = assembler.checkpointOf(event);
          if (resume) {
            this.resume = assembler.checkpointState;
            this.deliveredSinceResume = 0;
          } else {
            this.deliveredSinceResume += 1;
          }
          return { event, resume };
        }
        const client = this.client;
        if (!client || !assembler) {
          await this.connectWithRetry();
          continue;
        }
        try {
          let event: BinlogEvent;
          if (this.embedded !== null) {
            const next = this.embedded.next();
            if (next.done === true) {
              this.embedded = null;
              continue;
            }
            event = next.value;
          } else {
            const bytes = await client.next(this.abort.signal);
            if (bytes === null) {
              if (this.abort.signal.aborted) return this.finish();
              continue;
            }
            event = this.decoder.decode(bytes);
            if (event.type === 'transaction_payload') {
              this.embedded = this.decoder.embeddedEvents(event);
              continue;
            }
          }
          const result = assembler.process(event);
          const events = result instanceof Promise ? await result : result;
          if (events.length > 0) this.pending.push(...events);
        } catch (error) {
          if (isTidewaterError(error) && error.isRetryable) {
            this.pending.length = 0;
            this.embedded = null;
            await this.recover(error);
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      this.finish();
      throw error;
    }
  }

  private finish(): null {
    this.isFinished = true;
    this.close();
    return null;
  }
}
