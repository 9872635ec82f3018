/**
 * The replication session: a mysql2 connection (handshake, TLS, authentication and error
 * classification from connect.ts) that registers as a replica and asks for the binlog, then
 * hands out raw event bytes with backpressure.
 *
 * mysql2's own `binlogDump` command decodes only four event types and emits every event as it
 * arrives, so this file drives the protocol itself through mysql2's command queue: a command
 * object whose `execute(packet)` receives each packet of the dump. Protocol per the MySQL
 * "Replication Protocol" documentation: COM_REGISTER_SLAVE (0x15), COM_BINLOG_DUMP (0x12),
 * COM_BINLOG_DUMP_GTID (0x1e); every packet of the dump is 0x00 + one event, 0xFE an EOF,
 * 0xFF an error. MariaDB's GTID start is COM_BINLOG_DUMP after `SET @slave_connect_state`.
 *
 * Memory stays bounded: past `highWaterBytes` of undelivered events the socket is paused
 * (TCP then pushes back on the server), and it resumes below half of that.
 */
import { randomUUID } from 'node:crypto';
import type { Connection as CoreConnection } from 'mysql2';
import { TidewaterError, isTidewaterError } from '@tidewater/errors';
import {
  connectSource,
  coreOf,
  type SourceConnection,
  type SourceConnectionOptions,
} from '../connect';
import type { SourceFlavour } from '../flavour';
import { MysqlGtidSet } from './gtid';

/** Where the dump starts. */
export type DumpStart =
  | { kind: 'file'; file: string; pos: number }
  | { kind: 'mariadb-gtid'; gtidState: string }
  | { kind: 'mysql-gtid'; gtidSet: string };

export interface BinlogClientOptions {
  source: SourceConnectionOptions;
  /** The replica server id; must differ from the source's and from every other replica's. */
  serverId: number;
  start: DumpStart;
  /** How often the server sends a heartbeat when idle. */
  heartbeatIntervalMs: number;
  /** Undelivered event bytes before the socket is paused. */
  highWaterBytes: number;
}

const COM_BINLOG_DUMP = 0x12;
const COM_REGISTER_SLAVE = 0x15;
const COM_BINLOG_DUMP_GTID = 0x1e;
/** COM_BINLOG_DUMP_GTID flag: the GTID set follows (BINLOG_THROUGH_GTID). */
const BINLOG_THROUGH_GTID = 0x04;

/** A packet as mysql2's PacketParser hands it over (a view onto the socket chunk). */
interface ProtocolPacket {
  buffer: Buffer;
  start: number;
  offset: number;
  end: number;
}

interface CommandConnection {
  writePacket(packet: {
    buffer: Buffer;
    length(): number;
    writeHeader(sequenceId: number): void;
  }): void;
  _resetSequenceId(): void;
}

function outgoing(payload: Buffer): {
  buffer: Buffer;
  length(): number;
  writeHeader(sequenceId: number): void;
} {
  const buffer = Buffer.alloc(4 + payload.length);
  payload.copy(buffer, 4);
  return {
    buffer,
    length: () => payload.length,
    writeHeader: (sequenceId) => {
      buffer.writeUIntLE(payload.length, 0, 3);
      buffer[3] = sequenceId;
    },
  };
}

/** A server error packet: 0xFF, code 2, '#' + SQL state 5 (protocol 4.1), message. */
function readServerError(packet: ProtocolPacket): { errno: number; message: string } {
  const { buffer, offset, end } = packet;
  const errno = buffer.readUInt16LE(offset + 1);
  const hasState = buffer[offset + 3] === 0x23;
  return { errno, message: buffer.toString('utf8', offset + (hasState ? 9 : 3), end) };
}

/**
 * A mysql2 command (duck-typed: mysql2 only calls `execute` and, on connection errors,
 * `onResult`) that sends one request and hands every reply packet to `onPacket` until it
 * returns true (done).
 */
class RawCommand {
  private isStarted = false;

  constructor(
    private readonly request: Buffer,
    private readonly onPacket: (packet: ProtocolPacket) => boolean,
    readonly onResult: (error: Error) => void,
  ) {}

  execute(packet: ProtocolPacket | undefined, connection: CommandConnection): boolean {
    if (!this.isStarted) {
      this.isStarted = true;
      connection._resetSequenceId();
      connection.writePacket(outgoing(this.request));
      return false;
    }
    if (!packet) return false;
    return this.onPacket(packet);
  }
}

function runSimpleCommand(core: CoreConnection, request: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const command = new RawCommand(
      request,
      (packet) => {
        if (packet.buffer[packet.offset] === 0xff) {
          const { errno, message } = readServerError(packet);
          reject(Object.assign(new Error(message), { errno }));
        } else resolve();
        return true;
      },
      reject,
    );
    (core as unknown as { addCommand(command: unknown): void }).addCommand(command);
  });
}

function registerSlaveRequest(serverId: number): Buffer {
  // server_id 4, hostname/user/password as length-prefixed strings (empty), port 2, rank 4, master id 4.
  const request = Buffer.alloc(1 + 4 + 3 + 2 + 4 + 4);
  request[0] = COM_REGISTER_SLAVE;
  request.writeUInt32LE(serverId, 1);
  return request;
}

function binlogDumpRequest(serverId: number, file: string, pos: number): Buffer {
  const name = Buffer.from(file, 'utf8');
  const request = Buffer.alloc(11 + name.length);
  request[0] = COM_BINLOG_DUMP;
  request.writeUInt32LE(pos, 1);
  request.writeUInt16LE(0, 5); // flags: 0 = block and wait for new events
  request.writeUInt32LE(serverId, 7);
  name.copy(request, 11);
  return request;
}

function binlogDumpGtidRequest(serverId: number, gtidSet: string): Buffer {
  const data = MysqlGtidSet.parse(gtidSet).encode();
  // flags 2, server id 4, file name length 4 + name (empty), position 8, data length 4 + data.
  const request = Buffer.alloc(1 + 2 + 4 + 4 + 8 + 4 + data.length);
  let p = 0;
  request[p] = COM_BINLOG_DUMP_GTID;
  p += 1;
  request.writeUInt16LE(BINLOG_THROUGH_GTID, p);
  p += 2;
  request.writeUInt32LE(serverId, p);
  p += 4;
  request.writeUInt32LE(0, p);
  p += 4;
  request.writeBigUInt64LE(4n, p);
  p += 8;
  request.writeUInt32LE(data.length, p);
  p += 4;
  data.copy(request, p);
  return request;
}

/** Translates a server error during registration or the dump into a stable code. */
export function classifyDumpError(
  errno: number,
  message: string,
  start: DumpStart,
): TidewaterError {
  const where =
    start.kind === 'file'
      ? `${start.file}:${start.pos}`
      : start.kind === 'mariadb-gtid'
        ? `GTID ${start.gtidState}`
        : `GTID set ${start.gtidSet}`;
  const details = { errno, serverMessage: message, start: where };
  if (
    errno === 1227 ||
    errno === 1045 ||
    errno === 1044 ||
    (/REPLICATION SLAVE|REPLICA|BINLOG MONITOR/i.test(message) && /denied/i.test(message))
  ) {
    return new TidewaterError(
      'BINLOG_REPLICATION_DENIED',
      `The source refused to stream its binlog to this user: ${message}`,
      {
        category: 'unauthorized',
        remedy:
          "Grant the task's user REPLICATION SLAVE and REPLICATION CLIENT (MariaDB 10.5+: REPLICATION SLAVE and BINLOG MONITOR) ON *.*.",
        details,
      },
    );
  }
  if (
    errno === 1236 &&
    /purged|could not find first log file|not find first log|could not find gtid state|log file.*not.*index|has purged binary logs/i.test(
      message,
    )
  ) {
    return new TidewaterError(
      'BINLOG_PURGED',
      `The binlog at the task's position (${where}) is no longer on the source: ${message}`,
      {
        category: 'not_found',
        remedy:
          'The source purged the binlog before the task read it. Keep binlogs longer on the source (binlog_expire_logs_seconds / expire_logs_days, at least 24 h), then restart the task with a new full data migration.',
        details,
      },
    );
  }
  if (errno === 1236 || errno === 1950 || errno === 1951 || errno === 1955) {
    return new TidewaterError(
      'BINLOG_POSITION_INVALID',
      `The source cannot stream from the task's position (${where}): ${message}`,
      {
        category: 'invalid_input',
        remedy:
          'The position does not exist in the source binlog (a wrong file or offset, or a GTID the server never had). Restart the task from a new full data migration.',
        details,
      },
    );
  }
  if (
    errno === 1053 ||
    errno === 1927 ||
    errno === 2013 ||
    errno === 1152 ||
    errno === 1159 ||
    errno === 1161
  ) {
    return connectionLost(`the source closed the binlog session (${message})`);
  }
  return new TidewaterError(
    'BINLOG_DUMP_FAILED',
    `The source stopped the binlog stream: ${message} (error ${errno}).`,
    {
      category: 'unavailable',
      isRetryable: false,
      remedy: 'Check the source error log; fix the cause and restart the task.',
      details,
    },
  );
}

export function connectionLost(reason: string, cause?: unknown): TidewaterError {
  return new TidewaterError(
    'SOURCE_CONNECTION_LOST',
    `The binlog connection to the source was lost: ${reason}.`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Tidewater reconnects by itself within the retry window; check the network and the source if it keeps failing.',
      cause,
    },
  );
}

function toDumpError(error: unknown, start: DumpStart): TidewaterError {
  if (isTidewaterError(error)) return error;
  const { errno, code, message } = error as { errno?: number; code?: string; message?: string };
  if (typeof errno === 'number' && errno > 1000 && errno < 5000)
    return classifyDumpError(errno, message ?? '', start);
  return connectionLost(`${code ?? ''} ${message ?? String(error)}`.trim(), error);
}

/** One replication session from connect to close. */
export class BinlogClient {
  private session: SourceConnection | null = null;
  private core: CoreConnection | null = null;
  private readonly queue: Buffer[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private isPaused = false;
  private failure: TidewaterError | null = null;
  private isClosed = false;
  private waiter: (() => void) | null = null;
  private lastPacketAt = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private firstPacket: (() => void) | null = null;
  /** The source's binlog_checksum when the session started (CRC32 or NONE). */
  checksumEnabled = false;
  flavour: SourceFlavour = 'mysql';

  constructor(private readonly options: BinlogClientOptions) {}

  /** Connects, prepares the session, registers and starts the dump. */
  async start(): Promise<void> {
    const { options } = this;
    const session = await connectSource(options.source);
    this.session = session;
    this.flavour = session.server.flavour;
    const core = coreOf(session.connection);
    this.core = core;
    try {
      const query = async (
        sql: string,
        values: unknown[] = [],
      ): Promise<Record<string, unknown>[]> => {
        const [rows] = await session.connection.query(sql, values);
        return rows as Record<string, unknown>[];
      };
      // Tell the server we understand checksums (it then sends them as the file has them; the
      // decoder verifies each). Servers without the variable have no checksums.
      try {
        const [row] = await query('SELECT @@global.binlog_checksum AS checksum');
        this.checksumEnabled = String(row?.checksum ?? 'NONE').toUpperCase() === 'CRC32';
        await query('SET @master_binlog_checksum = @@global.binlog_checksum');
      } catch (error) {
        if ((error as { errno?: number }).errno !== 1193) throw error; // unknown system variable
        this.checksumEnabled = false;
      }
      await query('SET @master_heartbeat_period = ?', [
        BigInt(options.heartbeatIntervalMs) * 1_000_000n,
      ]);
      if (this.flavour === 'mariadb') {
        // 4 = MARIA_SLAVE_CAPABILITY_GTID: the server sends GTID events and accepts GTID starts.
        await query('SET @mariadb_slave_capability = 4');
        if (options.start.kind === 'mariadb-gtid') {
          await query('SET @slave_connect_state = ?', [options.start.gtidState]);
          await query('SET @slave_gtid_strict_mode = 1');
          await query('SET @slave_gtid_ignore_duplicates = 0');
        }
      } else {
        // MySQL identifies replicas by UUID and drops an older session with the same one.
        await query('SET @slave_uuid = ?', [randomUUID()]).catch((error: unknown) => {
          if ((error as { errno?: number }).errno !== 1193) throw error;
        });
      }
      await runSimpleCommand(core, registerSlaveRequest(options.serverId));
    } catch (error) {
      session.connection.destroy();
      throw toDumpError(error, options.start);
    }
    core.on('error', (error: Error) => this.fail(toDumpError(error, options.start)));
    core.on('end', () => this.fail(connectionLost('the server closed the connection')));
    const { start } = options;
    const request =
      start.kind === 'mysql-gtid'
        ? binlogDumpGtidRequest(options.serverId, start.gtidSet)
        : start.kind === 'mariadb-gtid'
          ? binlogDumpRequest(options.serverId, '', 4)
          : binlogDumpRequest(options.serverId, start.file, start.pos);
    const command = new RawCommand(
      request,
      (packet) => this.onPacket(packet),
      (error) => this.fail(toDumpError(error, start)),
    );
    (core as unknown as { addCommand(command: unknown): void }).addCommand(command);
    this.lastPacketAt = Date.now();
    // The server answers a good start with the fake ROTATE at once and a bad one (purged file,
    // unknown GTID) with an error: wait for either, so opening the stream reports the latter.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(options.heartbeatIntervalMs * 3, 10_000));
      this.firstPacket = finish;
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
    });
    this.firstPacket = null;
    if (this.failure && this.queue.length === 0) {
      const failure = this.failure;
      this.close();
      throw failure;
    }
    // No packet for three heartbeat periods while reading means a dead peer (a half-open TCP
    // connection never errors on its own).
    const silenceLimit = Math.max(options.heartbeatIntervalMs * 3, 3000);
    this.watchdog = setInterval(
      () => {
        if (!this.isPaused && Date.now() - this.lastPacketAt > silenceLimit) {
          this.fail(
            connectionLost(
              `no data or heartbeat from the source for ${Math.round(silenceLimit / 1000)} s`,
            ),
          );
        }
      },
      Math.min(silenceLimit, 1000),
    );
    this.watchdog.unref();
  }

  private onPacket(packet: ProtocolPacket): boolean {
    this.lastPacketAt = Date.now();
    const { buffer, offset, end } = packet;
    const marker = buffer[offset];
    if (marker === 0x00) {
      // The packet is a view onto the socket chunk, which mysql2 never reuses: keep the view.
      const event = buffer.subarray(offset + 1, end);
      this.queue.push(event);
      this.queuedBytes += event.length;
      if (!this.isPaused && this.queuedBytes >= this.options.highWaterBytes) {
        this.isPaused = true;
        this.core?.pause();
      }
      this.wake();
      return false;
    }
    if (marker === 0xff) {
      const { errno, message } = readServerError(packet);
      this.fail(classifyDumpError(errno, message, this.options.start));
      return true;
    }
    if (marker === 0xfe && end - offset < 9) {
      this.fail(connectionLost('the server ended the binlog stream'));
      return true;
    }
    this.fail(
      connectionLost(`unexpected packet 0x${(marker ?? 0).toString(16)} in the binlog stream`),
    );
    return true;
  }

  private fail(error: TidewaterError): void {
    if (this.isClosed || this.failure) return;
    this.failure = error;
    this.wake();
  }

  private wake(): void {
    this.firstPacket?.();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /**
   * The next event's bytes; waits for one. Throws the session's failure once the queued events
   * are delivered, and returns null when closed or aborted.
   */
  async next(signal?: AbortSignal): Promise<Buffer | null> {
    for (;;) {
      if (this.isClosed || signal?.aborted) return null;
      if (this.queueHead < this.queue.length) {
        const event = this.queue[this.queueHead]!;
        this.queue[this.queueHead] = EMPTY;
        this.queueHead += 1;
        if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
          this.queue.splice(0, this.queueHead);
          this.queueHead = 0;
        }
        this.queuedBytes -= event.length;
        if (this.isPaused && this.queuedBytes <= this.options.highWaterBytes / 2) {
          this.isPaused = false;
          this.lastPacketAt = Date.now();
          this.core?.resume();
        }
        return event;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.waiter = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /**
   * Ends the dump thread on the server now. A closed socket alone is noticed by the server
   * only when it next writes to it, so until then the replica stays registered (SHOW SLAVE
   * HOSTS); releasing a task must free that slot at once. Same-user KILL needs no privilege.
   */
  async killOnServer(): Promise<void> {
    const threadId = this.session?.connection.threadId ?? null;
    this.close();
    if (threadId === null) return;
    const killer = await connectSource(this.options.source);
    try {
      await killer.connection.query('KILL CONNECTION ?', [threadId]);
    } catch (error) {
      // ER_NO_SUCH_THREAD: the server had already ended it.
      if ((error as { errno?: number }).errno !== 1094) throw error;
    } finally {
      await killer.close();
    }
  }

  /** Ends the session; queued events are dropped. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.queue.length = 0;
    this.queueHead = 0;
    this.queuedBytes = 0;
    this.session?.connection.destroy();
    this.wake();
  }
}

const EMPTY = Buffer.alloc(0);
