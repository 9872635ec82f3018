/**
 * The incremental stream: binlog events from a start position turned into `ChangeEvent`s with
 * transaction boundaries, positions and tracked schemas, as an async iterator.
 *
 * Flow control: events are decoded when the consumer asks for the next one, and the replication
 * socket pauses once `highWaterBytes` of undecoded events wait (binlog-client.ts), so memory is
 * bounded whatever the source writes.
 *
 * Positions and resume: every event carries the position after it. A commit (XID or COMMIT),
 * a DDL outside a transaction and a heartbeat between transactions are checkpoints:
 * `checkpointOf(event)` gives their position with the schema history as of that event, which the
 * caller persists once the event is acknowledged downstream; a stream opened from that
 * checkpoint continues with the next transaction, nothing lost or repeated.
 *
 * Reconnect: when the connection drops, the stream reconnects (backoff 1 s doubling to 30 s, for
 * `retryWindowMs`) from the last checkpoint it delivered, and skips the events of the
 * interrupted transaction it had already delivered, so the consumer sees each event once.
 * Failures that retrying cannot fix (purged binlog, privileges, malformed events) end the
 * iteration with their TidewaterError.
 */
import type {
  ChangeEvent,
  CommitEvent,
  DdlEvent,
  RowEvent,
  SourcePosition,
} from '@tidewater/change-events';
import { TidewaterError, isTidewaterError, toTidewaterError } from '@tidewater/errors';
import type { Connection } from 'mysql2/promise';
import { connectSource, type SourceConnection, type SourceConnectionOptions } from '../connect';
import type { SourceFlavour } from '../flavour';
import { SYSTEM_DATABASES } from '../introspect';
import { readSchemaHistory, readTrackedTable } from '../schema-reader';
import { BinlogClient, type DumpStart } from './binlog-client';
import { classifyQuery, parseDdl } from './ddl-parser';
import {
  BinlogEventDecoder,
  binlogMalformed,
  isArtificial,
  type BinlogEvent,
  type EventHeader,
  type TableMap,
} from './event-decoder';
import { MariadbGtidState, MysqlGtidSet } from './gtid';
import { compileRowLayout, decodeRows, isLayoutMismatch, type RowLayout } from './row-decoder';
import { SchemaState, type SerializedSchemaHistory, type TrackedTable } from './schema-history';
import { schemaFromTableMap } from './table-map-schema';

export interface BinlogStartPosition {
  file: string;
  pos: number;
  /** The GTID set at that position (MariaDB `0-1-100`, MySQL `uuid:1-100`); null without GTIDs. */
  gtidSet?: string | null;
}

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
  /** The schema history saved with the start position; read from the source when absent. */
  schemaHistory?: SerializedSchemaHistory;
  /** Databases whose tables are decoded (and read for a missing history); all user databases when absent. */
  databases?: string[];
  /** Finer selection of tables to decode; rows of other tables are skipped undecoded. */
  isCaptured?: (database: string, table: string) => boolean;
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
  private schema: SchemaState = SchemaState.create({
    serverCharset: 'utf8mb4',
    isCaseInsensitive: false,
  });

  private file: string;
  private pos: number;
  private mariadbGtid: MariadbGtidState | null = null;
  private mysqlGtid: MysqlGtidSet | null = null;
  /** GTID set text after the last completed transaction. */
  private gtidText: string | null;
  /** GTID set text including the open transaction. */
  private txGtidText: string | null = null;
  private txGtid: string | null = null;
  private isInTransaction = false;
  private isStandalonePending = false;

  private readonly tableMaps = new Map<number, { tableMap: TableMap; layout: RowLayout | null }>();
  private readonly layouts = new Map<
    string,
    { signature: string; schema: TrackedTable; layout: RowLayout }
  >();
  private readonly checkpoints = new WeakMap<
    ChangeEvent,
    { position: SourcePosition; schema: SchemaState }
  >();
  private readonly warnedTables = new Set<string>();

  private resume: ResumePoint;
  private deliveredSinceResume = 0;
  private skipOnReconnect = 0;
  private failingSince: number | null = null;
  private reconnectAttempts = 0;
  private isFinished = false;

  constructor(options: BinlogStreamOptions) {
    this.options = options;
    this.serverId = options.serverId ?? randomServerId();
    this.file = options.start.file;
    this.pos = options.start.pos;
    this.gtidText = options.start.gtidSet ?? null;
    this.resume = { file: this.file, pos: this.pos, gtidText: this.gtidText, schema: this.schema };
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted) this.close();
  }

  /** The position after the last event delivered. */
  get position(): SourcePosition {
    return {
      file: this.file,
      pos: this.pos,
      gtidSet: this.isInTransaction ? this.txGtidText : this.gtidText,
    };
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
    this.schema = SchemaState.fromJSON(history);
    this.resetGtidState(this.gtidText);
    this.resume = { file: this.file, pos: this.pos, gtidText: this.gtidText, schema: this.schema };
    await this.connectWithRetry();
  }

  /** The position and schema history to persist once `event` is acknowledged; null if it is not a checkpoint. */
  checkpointOf(event: ChangeEvent): BinlogCheckpoint | null {
    const checkpoint = this.checkpoints.get(event);
    if (!checkpoint) return null;
    return { position: checkpoint.position, schemaHistory: checkpoint.schema.toJSON() };
  }

  /** Stops the stream; the iterator ends. */
  close(): void {
    if (!this.abort.signal.aborted) this.abort.abort();
    this.client?.close();
    this.client = null;
    const queryConnection = this.queryConnection;
    this.queryConnection = null;
    if (queryConnection) queryConnection.connection.destroy();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return {
      next: async () => {
        const event = await this.nextEvent();
        return event ? { value: event, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

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

  private resetGtidState(text: string | null): void {
    this.mariadbGtid = null;
    this.mysqlGtid = null;
    if (text === null || text === '') return;
    if (this.flavour === 'mariadb') this.mariadbGtid = MariadbGtidState.parse(text);
    else if (this.flavour === 'mysql') this.mysqlGtid = MysqlGtidSet.parse(text);
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
    this.tableMaps.clear();
    const { resume } = this;
    this.file = resume.file;
    this.pos = resume.pos;
    this.gtidText = resume.gtidText;
    this.resetGtidState(resume.gtidText);
    this.schema = resume.schema;
    this.isInTransaction = false;
    this.isStandalonePending = false;
    this.txGtid = null;
    this.txGtidText = null;
    // Everything delivered since the resume point comes again, byte for byte: skip that many.
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
        `The binlog stream could not reconnect to the source for ${Math.round(retryWindowMs / 60_000)} min: ${failure.message}`,
        {
          category: 'unavailable',
          remedy: `${failure.remedy} Then resume the task; it continues from its last checkpoint.`,
          details: { ...failure.details, cause: failure.code },
          cause: failure,
        },
      );
    }
    const delay = Math.min(1000 * 2 ** this.reconnectAttempts, MAX_BACKOFF_MS);
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

  private async nextEvent(): Promise<ChangeEvent | null> {
    if (this.isFinished) return null;
    try {
      for (;;) {
        if (this.abort.signal.aborted) return this.finish();
        const client = this.client;
        if (!client) {
          await this.connectWithRetry();
          continue;
        }
        let event: ChangeEvent | null;
        try {
          const bytes = await client.next(this.abort.signal);
          if (bytes === null) {
            if (this.abort.signal.aborted) return this.finish();
            continue;
          }
          event = await this.process(this.decoder.decode(bytes));
        } catch (error) {
          if (isTidewaterError(error) && error.isRetryable) {
            await this.recover(error);
            continue;
          }
          throw error;
        }
        if (!event) continue;
        if (this.skipOnReconnect > 0) {
          // Already delivered before the connection dropped (same bytes, same events).
          this.skipOnReconnect -= 1;
          continue;
        }
        this.failingSince = null;
        this.reconnectAttempts = 0;
        this.afterDelivery(event);
        return event;
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

  private afterDelivery(event: ChangeEvent): void {
    const isCheckpoint = this.checkpoints.has(event);
    if (isCheckpoint) {
      this.resume = {
        file: this.file,
        pos: this.pos,
        gtidText: this.gtidText,
        schema: this.schema,
      };
      this.deliveredSinceResume = 0;
    } else {
      this.deliveredSinceResume += 1;
    }
  }

  private currentPosition(): SourcePosition {
    return {
      file: this.file,
      pos: this.pos,
      gtidSet: this.isInTransaction ? this.txGtidText : this.gtidText,
    };
  }

  private base(header: EventHeader): {
    timestamp: number;
    position: SourcePosition;
    gtid: string | null;
    serverId: number;
  } {
    return {
      timestamp: header.timestamp * 1000,
      position: this.currentPosition(),
      gtid: this.txGtid,
      serverId: header.serverId,
    };
  }

  private markCheckpoint(event: ChangeEvent): void {
    this.checkpoints.set(event, { position: event.position!, schema: this.schema });
  }

  private beginTransaction(header: EventHeader): ChangeEvent {
    this.isInTransaction = true;
    return { kind: 'begin', ...this.base(header) };
  }

  private commitTransaction(header: EventHeader, xid: string | null): CommitEvent {
    const event: CommitEvent = { kind: 'commit', xid, ...this.base(header) };
    this.isInTransaction = false;
    this.gtidText = this.txGtidText ?? this.gtidText;
    event.position = this.currentPosition();
    this.txGtid = null;
    this.txGtidText = null;
    this.markCheckpoint(event);
    return event;
  }

  /** Turns one binlog event into at most one change event, keeping position and state. */
  private async process(event: BinlogEvent): Promise<ChangeEvent | null> {
    const { header } = event;
    if (event.type === 'rotate') {
      this.file = event.nextFile;
      this.pos = event.nextPosition;
      return null;
    }
    if (!isArtificial(header) && header.logPos > 0) this.pos = header.logPos;
    switch (event.type) {
      case 'format_description':
      case 'skipped':
      case 'rows_query': // PolarDB-X's CTS::<tso> and MySQL's rows query log: informational.
      case 'stop': // The server is shutting down; the connection loss that follows reconnects.
        return null;
      case 'incident':
        throw new TidewaterError(
          'BINLOG_INCIDENT',
          `The source's binlog records an incident at ${this.file}:${this.pos} (${event.message || `type ${event.incident}`}): changes may be missing from it.`,
          {
            category: 'unavailable',
            remedy:
              'The source could not log some changes (for example a crash during a non-transactional statement). Restart the task with a new full data migration.',
            details: { file: this.file, pos: this.pos, incident: event.incident },
          },
        );
      case 'heartbeat': {
        if (this.isInTransaction) return null;
        if (event.file === this.file && event.position > this.pos) this.pos = event.position;
        const heartbeat: ChangeEvent = {
          kind: 'heartbeat',
          ...this.base(header),
          timestamp: Date.now(),
          gtid: null,
        };
        this.markCheckpoint(heartbeat);
        return heartbeat;
      }
      case 'mariadb_gtid_list':
        if (!this.mariadbGtid && header.logPos > 0 && this.gtidText === null) {
          // At the head of a file: the GTID state there, when the start gave none.
          const state = new MariadbGtidState();
          for (const gtid of event.gtids) state.apply(gtid.domainId, gtid.serverId, gtid.sequence);
          this.mariadbGtid = state;
          this.gtidText = state.toString();
        }
        return null;
      case 'previous_gtids':
        if (!this.mysqlGtid && this.gtidText === null && event.gtidSet !== '') {
          this.mysqlGtid = MysqlGtidSet.parse(event.gtidSet);
          this.gtidText = event.gtidSet;
        }
        return null;
      case 'mariadb_gtid': {
        const gtid = `${event.domainId}-${header.serverId}-${event.sequence}`;
        this.mariadbGtid ??= new MariadbGtidState();
        this.mariadbGtid.apply(event.domainId, header.serverId, event.sequence);
        this.txGtid = gtid;
        this.txGtidText = this.mariadbGtid.toString();
        if (event.isStandalone) {
          this.isStandalonePending = true;
          return null;
        }
        // MariaDB's GTID event opens the transaction in place of a BEGIN query.
        return this.beginTransaction(header);
      }
      case 'mysql_gtid':
        if (event.gtid) {
          const colon = event.gtid.lastIndexOf(':');
          this.mysqlGtid ??= new MysqlGtidSet();
          this.mysqlGtid.add(event.gtid.slice(0, colon), BigInt(event.gtid.slice(colon + 1)));
          this.txGtid = event.gtid;
          this.txGtidText = this.mysqlGtid.toString();
        }
        return null;
      case 'xid':
        return this.commitTransaction(header, event.xid);
      case 'query':
        return this.processQuery(event);
      case 'table_map':
        await this.mapTable(event.tableMap);
        return null;
      case 'rows':
        return this.processRows(event);
    }
  }

  private async processQuery(
    event: Extract<BinlogEvent, { type: 'query' }>,
  ): Promise<ChangeEvent | null> {
    const { header, sql } = event;
    switch (classifyQuery(sql)) {
      case 'begin':
        return this.isInTransaction ? null : this.beginTransaction(header);
      case 'commit':
      case 'rollback':
        // A logged ROLLBACK ends a group whose non-transactional changes did happen.
        return this.isInTransaction ? this.commitTransaction(header, null) : null;
      case 'savepoint':
        return null;
      case 'xa':
        throw new TidewaterError(
          'BINLOG_XA_UNSUPPORTED',
          `The source binlog holds an XA transaction at ${this.file}:${this.pos}, which Tidewater does not stream.`,
          {
            category: 'unsupported',
            remedy:
              'Avoid XA transactions on the source while the task runs, then restart the task with a new full data migration.',
            details: { file: this.file, pos: this.pos },
          },
        );
      case 'dml': {
        // Statement-based logging of a data change (a session with binlog_format=STATEMENT):
        // the rows are not in the binlog.
        this.warn(
          'BINLOG_STATEMENT_DML',
          `A data change at ${this.file}:${this.pos} was logged as a statement, not as rows; it is not captured.`,
          {
            database: event.database,
            statement: sql.slice(0, 200),
          },
        );
        return null;
      }
      case 'ddl':
        return this.processDdl(event);
    }
  }

  private async processDdl(
    event: Extract<BinlogEvent, { type: 'query' }>,
  ): Promise<ChangeEvent | null> {
    const { header, sql } = event;
    const parsed = parseDdl(sql, event.database, { isMariadb: this.flavour === 'mariadb' });
    const applied = this.schema.apply(parsed.changes);
    let state = applied.state;
    if (!parsed.isParsed) {
      this.warn(
        'BINLOG_DDL_UNPARSED',
        `A DDL statement at ${this.file}:${this.pos} could not be parsed (${parsed.parseError}); the affected table is read again from the source.`,
        {
          statement: sql.slice(0, 500),
          database: parsed.database,
          table: parsed.table,
        },
      );
    }
    for (const target of applied.reread) {
      if (!this.isCaptured(target.database, target.table)) continue;
      const tracked = await this.readTable(target.database, target.table);
      state = tracked
        ? state.withTable(tracked)
        : state.withoutTable(target.database, target.table);
      this.warn(
        'BINLOG_SCHEMA_REREAD',
        `The schema of ${target.database}.${target.table} was read again from the source after a DDL the history could not follow; rows written before later DDL may decode with the newer schema.`,
        {
          database: target.database,
          table: target.table,
          statement: sql.slice(0, 500),
        },
      );
    }
    this.schema = state;
    const isStandalone = this.isStandalonePending || !this.isInTransaction;
    this.isStandalonePending = false;
    const isEmitted =
      !parsed.isParsed ||
      (parsed.table
        ? this.isCaptured(parsed.database, parsed.table)
        : parsed.database !== '' && this.isCaptured(parsed.database, ''));
    const ddl: DdlEvent = {
      kind: 'ddl',
      database: parsed.database,
      table: parsed.table,
      ddlKind: parsed.kind,
      sql,
      isParsed: parsed.isParsed,
      ...this.base(header),
    };
    if (isStandalone && !this.isInTransaction) {
      // A DDL is its own transaction: the GTID set and the checkpoint move past it.
      this.gtidText = this.txGtidText ?? this.gtidText;
      ddl.position = this.currentPosition();
      this.txGtid = null;
      this.txGtidText = null;
      if (isEmitted) {
        this.markCheckpoint(ddl);
        return ddl;
      }
      // Not captured: still a checkpoint, delivered as a heartbeat so the caller can advance.
      const heartbeat: ChangeEvent = { kind: 'heartbeat', ...this.base(header), gtid: null };
      this.markCheckpoint(heartbeat);
      return heartbeat;
    }
    return isEmitted ? ddl : null;
  }

  private async readTable(database: string, table: string): Promise<TrackedTable | null> {
    const connection = await this.getQueryConnection();
    return readTrackedTable(connection.connection as Connection, database, table);
  }

  /** Resolves the layout for a table map: tracked schema, else binlog metadata, else the source. */
  private async mapTable(tableMap: TableMap): Promise<void> {
    const { database, table } = tableMap;
    if (!this.isCaptured(database, table)) {
      this.tableMaps.set(tableMap.tableId, { tableMap, layout: null });
      return;
    }
    const key = `${database}\0${table}`;
    const tracked = this.schema.getTable(database, table);
    const cached = this.layouts.get(key);
    if (cached && tracked && cached.schema === tracked && cached.signature === tableMap.signature) {
      this.tableMaps.set(tableMap.tableId, { tableMap, layout: cached.layout });
      return;
    }
    let reason = tracked ? '' : 'the table is not in the schema history';
    if (tracked) {
      const compiled = compileRowLayout(tableMap, tracked.schema);
      if (!isLayoutMismatch(compiled)) {
        this.useLayout(key, tableMap, tracked, compiled);
        return;
      }
      reason = compiled.reason;
    }
    // The history does not fit the event. FULL metadata describes the columns exactly as they
    // were written; without it, the source's current definition is the best left.
    const candidates: Array<{ source: string; load: () => Promise<TrackedTable | null> }> = [
      {
        source: 'binlog metadata',
        load: async () => {
          const schema = schemaFromTableMap(tableMap);
          if (!schema) return null;
          if (tracked) {
            schema.primaryKey =
              schema.primaryKey.length > 0 ? schema.primaryKey : tracked.schema.primaryKey;
            schema.uniqueKeys = tracked.schema.uniqueKeys;
          }
          return {
            schema,
            defaultCharset: tracked?.defaultCharset ?? this.schema.databaseCharset(database),
          };
        },
      },
      { source: 'the source', load: () => this.readTable(database, table) },
    ];
    if (!tracked) candidates.reverse();
    for (const candidate of candidates) {
      const loaded = await candidate.load();
      if (!loaded) continue;
      const compiled = compileRowLayout(tableMap, loaded.schema);
      if (isLayoutMismatch(compiled)) continue;
      this.warn(
        'BINLOG_SCHEMA_REREAD',
        `The schema of ${database}.${table} was taken from ${candidate.source} at ${this.file}:${this.pos}: ${reason}.`,
        {
          database,
          table,
        },
      );
      this.schema = this.schema.withTable(loaded);
      this.useLayout(key, tableMap, loaded, compiled);
      return;
    }
    throw new TidewaterError(
      'BINLOG_SCHEMA_MISMATCH',
      `Rows of ${database}.${table} at ${this.file}:${this.pos} cannot be decoded: ${reason}, and neither the binlog metadata nor the source's current definition fits them.`,
      {
        category: 'internal',
        remedy:
          'The table changed in a way the schema history could not follow. Restart the task with a new full data migration of this table; set binlog_row_metadata=FULL on the source if it supports it.',
        details: { database, table, file: this.file, pos: this.pos, reason },
      },
    );
  }

  private useLayout(
    key: string,
    tableMap: TableMap,
    tracked: TrackedTable,
    layout: RowLayout,
  ): void {
    this.layouts.set(key, { signature: tableMap.signature, schema: tracked, layout });
    this.tableMaps.set(tableMap.tableId, { tableMap, layout });
  }

  private processRows(event: Extract<BinlogEvent, { type: 'rows' }>): RowEvent | null {
    const entry = this.tableMaps.get(event.rows.tableId);
    if (!entry)
      throw binlogMalformed(
        `a rows event for table id ${event.rows.tableId} has no table map before it`,
        { file: this.file, pos: this.pos },
      );
    const { layout } = entry;
    if (!layout) return null;
    const decoded = decodeRows(event.rows, layout);
    if (decoded.absentValues > 0) {
      const key = `${layout.schema.database}.${layout.schema.table}`;
      if (!this.warnedTables.has(key)) {
        this.warnedTables.add(key);
        this.warn(
          'BINLOG_PARTIAL_ROW_IMAGE',
          `Rows of ${key} arrive with some columns missing (binlog_row_image is not FULL); the missing values are given as NULL.`,
          { table: key },
        );
      }
    }
    const base = { ...this.base(event.header), schema: layout.schema };
    switch (event.rows.rowsKind) {
      case 'insert':
        return { kind: 'insert', ...base, rows: decoded.images! };
      case 'delete':
        return { kind: 'delete', ...base, rows: decoded.images! };
      case 'update':
        return { kind: 'update', ...base, rows: decoded.pairs! };
    }
  }
}
