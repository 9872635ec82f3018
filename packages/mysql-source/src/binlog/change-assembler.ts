/**
 * Binlog events to change events: the state machine between the decoder and the stream. It
 * keeps the position (file:pos after each event, the GTID set after each transaction), the
 * transaction boundaries (BEGIN or MariaDB's GTID event … XID or COMMIT; a DDL is its own
 * transaction), the schema history (every DDL applied in order) and the row layouts compiled
 * from TABLE_MAP events against it. No I/O of its own: reading a table from the source goes
 * through `hooks.readTable`, so the whole machine runs in unit tests on built byte sequences.
 */
import type { ChangeEvent, CommitEvent, DdlEvent, SourcePosition } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import type { SourceFlavour } from '../flavour';
import { classifyQuery, parseDdl, type ParsedDdl, type SchemaChange } from './ddl-parser';
import {
  binlogMalformed,
  isArtificial,
  type BinlogEvent,
  type EventHeader,
  type TableMap,
} from './event-decoder';
import { MariadbGtidState, MysqlGtidSet } from './gtid';
import {
  absentColumns,
  compileRowLayout,
  decodeRows,
  isLayoutMismatch,
  PARTIAL_ROW_IMAGE_REMEDY,
  type RowLayout,
} from './row-decoder';
import { RecentMap } from './recent-map';
import type { SchemaState, TrackedTable } from './schema-history';
import { schemaFromTableMap } from './table-map-schema';

export interface AssemblerHooks {
  /** Whether rows and DDL of this table are wanted (table "" for database-level statements). */
  isCaptured(database: string, table: string): boolean;
  /** Reads a table's current definition from the source; null when it does not exist. */
  readTable(database: string, table: string): Promise<TrackedTable | null>;
  warn(code: string, message: string, details?: Record<string, unknown>): void;
  /**
   * Whether a partial row image of this captured table fails the stream (the default for every
   * table). When false, such a rows event is left out and its transaction still goes out: for a
   * reader that decodes tables only to see their transactions (the snapshot's watermarks).
   */
  requiresFullRowImage?(database: string, table: string): boolean;
}

/** Where the assembler (re)starts: a checkpoint. */
export interface AssemblerStart {
  file: string;
  pos: number;
  gtidText: string | null;
  schema: SchemaState;
  flavour: SourceFlavour;
  /** Binlog time (s) of the checkpoint; keeps heartbeat choices identical on a replay. */
  checkpointSecond?: number;
}

const NONE: ChangeEvent[] = [];

/**
 * Table maps kept past the end of their transaction. A rows event only refers to a TABLE_MAP
 * written before it in the same statement (the server writes one before every statement's rows
 * events: MySQL "Rows_event" and TABLE_MAP_EVENT documentation), so the open transaction's maps
 * are always kept and a few recent ones are only a margin; table ids churn on a busy server.
 */
export const MAX_RECENT_TABLE_MAPS = 256;
/** Compiled row layouts kept by table name; one evicted is compiled again at its next TABLE_MAP. */
export const MAX_LAYOUTS = 1024;
/**
 * Checkpoint events whose resume point `checkpointOf` still answers. The stream asks about each
 * event as it hands it out, before the next binlog event is processed (one binlog event makes at
 * most one checkpoint event), so one would do; a few more leave tests room to look back. A
 * WeakMap over every checkpoint event cost a measurable share of one-row transactions (its
 * entries are ephemerons the garbage collector visits on every cycle).
 */
export const RECENT_CHECKPOINTS = 8;

/** A table map with the layout resolved for it, against the schema state of that moment. */
interface MappedTable {
  tableMap: TableMap;
  layout: RowLayout | null;
  schema: SchemaState;
}

interface CheckpointMark {
  event: ChangeEvent | null;
  point: { position: SourcePosition; schema: SchemaState } | null;
}

export class ChangeAssembler {
  private flavour: SourceFlavour = 'mysql';
  private file = '';
  private pos = 4;
  private schemaState!: SchemaState;
  private mariadbGtid: MariadbGtidState | null = null;
  private mysqlGtid: MysqlGtidSet | null = null;
  /** GTID set text after the last completed transaction. */
  private gtidText: string | null = null;
  /** GTID set text including the open transaction. */
  private txGtidText: string | null = null;
  private txGtid: string | null = null;
  private isInTransaction = false;
  private isStandalonePending = false;
  /** The open transaction's BEGIN, until its first captured change goes out. */
  private pendingBegin: ChangeEvent | null = null;
  /** Binlog time (s) of the last checkpoint given out, for `skippedCheckpoint`. */
  private checkpointSecond = 0;
  /** By table id: the open transaction's maps, then the most recent others (see `trim`). */
  private readonly tableMaps = new RecentMap<number, MappedTable>(MAX_RECENT_TABLE_MAPS);
  private readonly layouts = new RecentMap<
    string,
    { signature: string; schema: TrackedTable; layout: RowLayout }
  >(MAX_LAYOUTS);
  /** The last `RECENT_CHECKPOINTS` checkpoint events, a ring written at `nextCheckpoint`. */
  private readonly checkpoints: CheckpointMark[] = Array.from(
    { length: RECENT_CHECKPOINTS },
    () => ({ event: null, point: null }),
  );
  private nextCheckpoint = 0;

  constructor(
    private readonly hooks: AssemblerHooks,
    start: AssemblerStart,
  ) {
    this.reset(start);
  }

  /** Restarts from a checkpoint (a new dump session): transaction state and table maps are dropped. */
  reset(start: AssemblerStart): void {
    this.flavour = start.flavour;
    this.file = start.file;
    this.pos = start.pos;
    this.gtidText = start.gtidText;
    this.schemaState = start.schema;
    this.resetGtidState(start.gtidText);
    this.isInTransaction = false;
    this.isStandalonePending = false;
    this.pendingBegin = null;
    this.checkpointSecond = start.checkpointSecond ?? 0;
    this.txGtid = null;
    this.txGtidText = null;
    this.tableMaps.clear();
  }

  /** The checkpoint the stream would resume from if it stopped after the last processed event. */
  get checkpointState(): Omit<AssemblerStart, 'flavour'> {
    return {
      file: this.file,
      pos: this.pos,
      gtidText: this.gtidText,
      schema: this.schemaState,
      checkpointSecond: this.checkpointSecond,
    };
  }

  /** The position after the last processed event. */
  get position(): SourcePosition {
    return this.currentPosition();
  }

  get schema(): SchemaState {
    return this.schemaState;
  }

  /** Table maps held (by table id), for tests and monitoring. */
  get cachedTableMaps(): number {
    return this.tableMaps.size;
  }

  /** Compiled row layouts held (by table name), for tests and monitoring. */
  get cachedLayouts(): number {
    return this.layouts.size;
  }

  /**
   * Position and schema state of a checkpoint event (commit, DDL, heartbeat) among the last
   * `RECENT_CHECKPOINTS` given out; null otherwise.
   */
  checkpointOf(event: ChangeEvent): { position: SourcePosition; schema: SchemaState } | null {
    for (let i = 1; i <= RECENT_CHECKPOINTS; i += 1) {
      const mark =
        this.checkpoints[(this.nextCheckpoint - i + RECENT_CHECKPOINTS) % RECENT_CHECKPOINTS]!;
      if (mark.event === event) return mark.point;
    }
    return null;
  }

  private resetGtidState(text: string | null): void {
    this.mariadbGtid = null;
    this.mysqlGtid = null;
    if (text === null || text === '') return;
    if (this.flavour === 'mariadb') this.mariadbGtid = MariadbGtidState.parse(text);
    else if (this.flavour === 'mysql') this.mysqlGtid = MysqlGtidSet.parse(text);
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

  // The events of every transaction (BEGIN, rows, COMMIT) are built field by field rather than
  // by spreading `base`: one object each instead of two, on the path of every transaction.

  private markCheckpoint(event: ChangeEvent, header: EventHeader | null): void {
    if (header) this.checkpointSecond = header.timestamp;
    const mark = this.checkpoints[this.nextCheckpoint]!;
    mark.event = event;
    mark.point = { position: event.position!, schema: this.schemaState };
    this.nextCheckpoint = (this.nextCheckpoint + 1) % RECENT_CHECKPOINTS;
  }

  /**
   * Opens a transaction. Its BEGIN is held back until the transaction touches a captured table,
   * so transactions of other tables do not reach the consumer at all (see `skippedCheckpoint`).
   */
  private beginTransaction(header: EventHeader): ChangeEvent[] {
    this.isInTransaction = true;
    this.pendingBegin = {
      kind: 'begin',
      timestamp: header.timestamp * 1000,
      position: this.currentPosition(),
      gtid: this.txGtid,
      serverId: header.serverId,
    };
    return NONE;
  }

  /** The event, preceded by its transaction's BEGIN if that has not gone out yet. */
  private withBegin(event: ChangeEvent): ChangeEvent[] {
    const begin = this.pendingBegin;
    if (!begin) return [event];
    this.pendingBegin = null;
    return [begin, event];
  }

  private commitTransaction(header: EventHeader, xid: string | null): ChangeEvent[] {
    const gtid = this.txGtid;
    const isEmpty = this.pendingBegin !== null;
    this.pendingBegin = null;
    this.isInTransaction = false;
    this.gtidText = this.txGtidText ?? this.gtidText;
    const event: CommitEvent = {
      kind: 'commit',
      xid,
      timestamp: header.timestamp * 1000,
      position: this.currentPosition(),
      gtid,
      serverId: header.serverId,
    };
    this.txGtid = null;
    this.txGtidText = null;
    this.tableMaps.trim();
    if (isEmpty) return this.skippedCheckpoint(header);
    this.markCheckpoint(event, header);
    return [event];
  }

  /**
   * After a transaction or DDL the consumer does not see: a heartbeat checkpoint, at most one
   * per second of binlog time (event timestamps, so a replay after a reconnect makes the same
   * choice), so the caller's checkpoint keeps up even when only other tables change.
   */
  private skippedCheckpoint(header: EventHeader): ChangeEvent[] {
    if (header.timestamp - this.checkpointSecond < 1) return NONE;
    const heartbeat: ChangeEvent = { kind: 'heartbeat', ...this.base(header), gtid: null };
    this.markCheckpoint(heartbeat, header);
    return [heartbeat];
  }

  /** Turns one binlog event into change events (usually none or one), keeping position and state. */
  process(event: BinlogEvent): ChangeEvent[] | Promise<ChangeEvent[]> {
    const { header } = event;
    if (event.type === 'rotate') {
      this.file = event.nextFile;
      this.pos = event.nextPosition;
      return NONE;
    }
    if (!isArtificial(header) && header.logPos > 0) this.pos = header.logPos;
    switch (event.type) {
      case 'format_description':
      case 'skipped':
      case 'transaction_payload': // Its events come one by one (`embeddedEvents`), at its position.
      case 'rows_query': // PolarDB-X's CTS::<tso> and MySQL's rows query log: informational.
      case 'stop': // The server is shutting down; the connection loss that follows reconnects.
        return NONE;
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
        if (this.isInTransaction) return NONE;
        if (event.file === this.file && event.position > this.pos) this.pos = event.position;
        const heartbeat: ChangeEvent = {
          kind: 'heartbeat',
          ...this.base(header),
          timestamp: Date.now(),
          gtid: null,
        };
        this.markCheckpoint(heartbeat, null);
        return [heartbeat];
      }
      case 'mariadb_gtid_list':
        if (!this.mariadbGtid && header.logPos > 0 && this.gtidText === null) {
          // At the head of a file: the GTID state there, when the start gave none.
          const state = new MariadbGtidState();
          for (const gtid of event.gtids) state.apply(gtid.domainId, gtid.serverId, gtid.sequence);
          this.mariadbGtid = state;
          this.gtidText = state.toString();
        }
        return NONE;
      case 'previous_gtids':
        if (!this.mysqlGtid && this.gtidText === null && event.gtidSet !== '') {
          this.mysqlGtid = MysqlGtidSet.parse(event.gtidSet);
          this.gtidText = event.gtidSet;
        }
        return NONE;
      case 'mariadb_gtid': {
        const gtid = `${event.domainId}-${header.serverId}-${event.sequence}`;
        this.mariadbGtid ??= new MariadbGtidState();
        this.mariadbGtid.apply(event.domainId, header.serverId, event.sequence);
        this.txGtid = gtid;
        this.txGtidText = this.mariadbGtid.toString();
        if (event.isStandalone) {
          this.isStandalonePending = true;
          return NONE;
        }
        // MariaDB's GTID event opens the transaction in place of a BEGIN query.
        return this.beginTransaction(header);
      }
      case 'mysql_gtid':
        if (event.gtid) {
          this.mysqlGtid ??= new MysqlGtidSet();
          this.mysqlGtid.add(event.sid, event.gno);
          this.txGtid = event.gtid;
          this.txGtidText = this.mysqlGtid.toString();
        }
        return NONE;
      case 'xid':
        return this.commitTransaction(header, event.xid);
      case 'query':
        return this.processQuery(event);
      case 'table_map': {
        // Synchronous unless the schema has to be looked for (metadata, the source).
        const pending = this.mapTable(event.tableMap);
        return pending ? pending.then(() => NONE) : NONE;
      }
      case 'rows':
        return this.processRows(event);
    }
  }

  private processQuery(
    event: Extract<BinlogEvent, { type: 'query' }>,
  ): ChangeEvent[] | Promise<ChangeEvent[]> {
    const { header, sql } = event;
    switch (classifyQuery(sql)) {
      case 'begin':
        return this.isInTransaction ? NONE : this.beginTransaction(header);
      case 'commit':
      case 'rollback':
        // A logged ROLLBACK ends a group whose non-transactional changes did happen.
        return this.isInTransaction ? this.commitTransaction(header, null) : NONE;
      case 'savepoint':
        return NONE;
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
        this.hooks.warn(
          'BINLOG_STATEMENT_DML',
          `A data change at ${this.file}:${this.pos} was logged as a statement, not as rows; it is not captured.`,
          {
            database: event.database,
            statement: sql.slice(0, 200),
          },
        );
        return NONE;
      }
      case 'ddl':
        return this.processDdl(event);
    }
  }

  /**
   * The schema changes of databases the stream captures: the history holds the tables it may
   * decode, not every table the server ever creates (a busy server's other databases would grow
   * it without bound). A table moved or copied in from a database not captured is read from the
   * source instead; one moved out is dropped.
   */
  private trackedChanges(changes: SchemaChange[]): SchemaChange[] {
    const isTracked = (database: string) => database !== '' && this.hooks.isCaptured(database, '');
    const kept: SchemaChange[] = [];
    for (const change of changes) {
      switch (change.type) {
        case 'rename_table': {
          const from = isTracked(change.database);
          const to = isTracked(change.newDatabase);
          if (from && to) kept.push(change);
          else if (to) {
            kept.push({
              type: 'reread_table',
              database: change.newDatabase,
              table: change.newTable,
            });
          } else if (from) {
            kept.push({ type: 'drop_table', database: change.database, table: change.table });
          }
          break;
        }
        case 'create_table_like':
          if (!isTracked(change.database)) break;
          kept.push(
            isTracked(change.sourceDatabase)
              ? change
              : { type: 'reread_table', database: change.database, table: change.table },
          );
          break;
        default:
          if (isTracked(change.database)) kept.push(change);
      }
    }
    return kept;
  }

  private processDdl(
    event: Extract<BinlogEvent, { type: 'query' }>,
  ): ChangeEvent[] | Promise<ChangeEvent[]> {
    const { sql } = event;
    const parsed = parseDdl(sql, event.database, { isMariadb: this.flavour === 'mariadb' });
    const changes = this.trackedChanges(parsed.changes);
    const applied =
      changes.length === 0
        ? { state: this.schemaState, reread: [] }
        : this.schemaState.apply(changes);
    if (!parsed.isParsed) {
      this.hooks.warn(
        'BINLOG_DDL_UNPARSED',
        `A DDL statement at ${this.file}:${this.pos} could not be parsed (${parsed.parseError}); the affected table is read again from the source.`,
        {
          statement: sql.slice(0, 500),
          database: parsed.database,
          table: parsed.table,
        },
      );
    }
    const rereads = applied.reread.filter((target) =>
      this.hooks.isCaptured(target.database, target.table),
    );
    if (rereads.length === 0) return this.finishDdl(event, parsed, applied.state);
    return this.rereadTables(rereads, applied.state, sql).then((state) =>
      this.finishDdl(event, parsed, state),
    );
  }

  /** Reads tables again from the source after a DDL the history could not follow. */
  private async rereadTables(
    targets: Array<{ database: string; table: string }>,
    start: SchemaState,
    sql: string,
  ): Promise<SchemaState> {
    let state = start;
    for (const target of targets) {
      const tracked = await this.hooks.readTable(target.database, target.table);
      state = tracked
        ? state.withTable(tracked)
        : state.withoutTable(target.database, target.table);
      this.hooks.warn(
        'BINLOG_SCHEMA_REREAD',
        `The schema of ${target.database}.${target.table} was read again from the source after a DDL the history could not follow; rows written before later DDL may decode with the newer schema.`,
        {
          database: target.database,
          table: target.table,
          statement: sql.slice(0, 500),
        },
      );
    }
    return state;
  }

  private finishDdl(
    event: Extract<BinlogEvent, { type: 'query' }>,
    parsed: ParsedDdl,
    state: SchemaState,
  ): ChangeEvent[] {
    const { header, sql } = event;
    this.schemaState = state;
    const isStandalone = this.isStandalonePending || !this.isInTransaction;
    this.isStandalonePending = false;
    const isEmitted =
      !parsed.isParsed ||
      (parsed.table
        ? this.hooks.isCaptured(parsed.database, parsed.table)
        : parsed.database !== '' && this.hooks.isCaptured(parsed.database, ''));
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
      this.tableMaps.trim();
      if (!isEmitted) return this.skippedCheckpoint(header);
      this.markCheckpoint(ddl, header);
      return [ddl];
    }
    return isEmitted ? this.withBegin(ddl) : NONE;
  }

  /** Resolves the layout for a table map: tracked schema, else binlog metadata, else the source. */
  private mapTable(tableMap: TableMap): Promise<void> | null {
    // The server writes the same TABLE_MAP before every statement on a table, and the decoder
    // hands back the same object for the same bytes: with the schema unchanged since, so is the
    // layout (the common case of short transactions, one map each).
    const known = this.tableMaps.get(tableMap.tableId);
    if (known && known.tableMap === tableMap && known.schema === this.schemaState) return null;
    const { database, table } = tableMap;
    if (!this.hooks.isCaptured(database, table)) {
      this.rememberTableMap(tableMap, null);
      return null;
    }
    const key = `${database}\0${table}`;
    const tracked = this.schemaState.getTable(database, table);
    const cached = this.layouts.get(key);
    if (cached && tracked && cached.schema === tracked && cached.signature === tableMap.signature) {
      this.rememberTableMap(tableMap, cached.layout);
      return null;
    }
    let reason = tracked ? '' : 'the table is not in the schema history';
    if (tracked) {
      const compiled = compileRowLayout(tableMap, tracked.schema);
      if (!isLayoutMismatch(compiled)) {
        this.useLayout(key, tableMap, tracked, compiled);
        return null;
      }
      reason = compiled.reason;
    }
    return this.findLayout(tableMap, key, tracked ?? null, reason);
  }

  /** The tracked schema does not fit (or is missing): binlog metadata, then the source. */
  private async findLayout(
    tableMap: TableMap,
    key: string,
    tracked: TrackedTable | null,
    reason: string,
  ): Promise<void> {
    const { database, table } = tableMap;
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
            defaultCharset: tracked?.defaultCharset ?? this.schemaState.databaseCharset(database),
          };
        },
      },
      { source: 'the source', load: () => this.hooks.readTable(database, table) },
    ];
    if (!tracked) candidates.reverse();
    for (const candidate of candidates) {
      const loaded = await candidate.load();
      if (!loaded) continue;
      const compiled = compileRowLayout(tableMap, loaded.schema);
      if (isLayoutMismatch(compiled)) continue;
      this.hooks.warn(
        'BINLOG_SCHEMA_REREAD',
        `The schema of ${database}.${table} was taken from ${candidate.source} at ${this.file}:${this.pos}: ${reason}.`,
        {
          database,
          table,
        },
      );
      this.schemaState = this.schemaState.withTable(loaded);
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
    this.layouts.trim();
    this.rememberTableMap(tableMap, layout);
  }

  /**
   * Keeps a table map for the rows events after it. Inside a transaction nothing is forgotten
   * (its rows events may refer to any of its maps); the transaction's end trims to the limit.
   */
  private rememberTableMap(tableMap: TableMap, layout: RowLayout | null): void {
    this.tableMaps.set(tableMap.tableId, { tableMap, layout, schema: this.schemaState });
    if (!this.isInTransaction) this.tableMaps.trim();
  }

  /**
   * Never NULL for a value the binlog does not have: a partial row image (a session with
   * binlog_row_image=MINIMAL or NOBLOB, which the precheck of the global setting cannot see)
   * stops the stream, naming the table and the columns.
   */
  private partialRowImage(
    rowsKind: 'insert' | 'update' | 'delete',
    layout: RowLayout,
    missingBefore: string[],
    missingAfter: string[],
  ): TidewaterError {
    const { database, table } = layout.schema;
    const list = (columns: string[]): string =>
      columns.length <= 10
        ? columns.join(', ')
        : `${columns.slice(0, 10).join(', ')} and ${columns.length - 10} more`;
    const parts =
      rowsKind === 'update'
        ? [
            missingBefore.length > 0 ? `${list(missingBefore)} from the before image` : '',
            missingAfter.length > 0 ? `${list(missingAfter)} from the after image` : '',
          ].filter((part) => part !== '')
        : [`${list(missingBefore)} from the ${rowsKind === 'insert' ? 'inserted' : 'deleted'} row`];
    return new TidewaterError(
      'BINLOG_PARTIAL_ROW_IMAGE',
      `${rowsKind === 'delete' ? 'A' : 'An'} ${rowsKind.toUpperCase()} of ${database}.${table} at ${this.file}:${this.pos} was logged without columns ${parts.join(' and ')}: it was written with binlog_row_image MINIMAL or NOBLOB, and Tidewater does not make up the missing values.`,
      {
        category: 'unsupported',
        remedy: PARTIAL_ROW_IMAGE_REMEDY,
        details: {
          database,
          table,
          file: this.file,
          pos: this.pos,
          rowsKind,
          ...(rowsKind === 'update'
            ? {
                missingBefore: missingBefore.slice(0, 100),
                missingAfter: missingAfter.slice(0, 100),
              }
            : { missing: missingBefore.slice(0, 100) }),
        },
      },
    );
  }

  private processRows(event: Extract<BinlogEvent, { type: 'rows' }>): ChangeEvent[] {
    const entry = this.tableMaps.get(event.rows.tableId);
    if (!entry)
      throw binlogMalformed(
        `a rows event for table id ${event.rows.tableId} has no table map before it`,
        { file: this.file, pos: this.pos },
      );
    const { layout } = entry;
    if (!layout) return NONE;
    const missingBefore = absentColumns(event.rows.presentBefore, layout);
    const missingAfter =
      event.rows.presentAfter === null ? [] : absentColumns(event.rows.presentAfter, layout);
    if (missingBefore.length > 0 || missingAfter.length > 0) {
      const { database, table } = layout.schema;
      if (this.hooks.requiresFullRowImage?.(database, table) === false) {
        // Left out; the transaction still shows, with its BEGIN and COMMIT.
        const begin = this.pendingBegin;
        this.pendingBegin = null;
        return begin ? [begin] : NONE;
      }
      throw this.partialRowImage(event.rows.rowsKind, layout, missingBefore, missingAfter);
    }
    const decoded = decodeRows(event.rows, layout);
    const { header } = event;
    const timestamp = header.timestamp * 1000;
    const position = this.currentPosition();
    const { serverId } = header;
    const gtid = this.txGtid;
    const { schema } = layout;
    switch (event.rows.rowsKind) {
      case 'insert':
        return this.withBegin({
          kind: 'insert',
          timestamp,
          position,
          gtid,
          serverId,
          schema,
          rows: decoded.images!,
        });
      case 'delete':
        return this.withBegin({
          kind: 'delete',
          timestamp,
          position,
          gtid,
          serverId,
          schema,
          rows: decoded.images!,
        });
      case 'update':
        return this.withBegin({
          kind: 'update',
          timestamp,
          position,
          gtid,
          serverId,
          schema,
          rows: decoded.pairs!,
        });
    }
  }
}
