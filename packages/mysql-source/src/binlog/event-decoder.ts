/**
 * Binlog events from bytes: the v4 event header, the checksum trailer, and the body of every
 * event type the stream needs. Rows are not decoded here (that needs the table's schema, see
 * `row-decoder.ts`); a rows event is returned as a view onto its bytes.
 *
 * Layouts follow MySQL's "Binary log" internals documentation (libbinlogevents: control_events.h,
 * statement_events.h, rows_event.h) and MariaDB's "Replication protocol" pages for event types
 * 160 and up. Where the two differ the comment at the decoding says so.
 *
 * A MySQL 8 TRANSACTION_PAYLOAD event encloses a whole transaction: `decode` returns it as one
 * event holding the (decompressed) events, and `embeddedEvents` decodes them one at a time.
 */
import { TidewaterError } from '@tidewater/errors';
import { decompressZstd, inflateMariadbBlock } from './binlog-compression';
import { charsetOfCollation, textDecoderFor } from './charset';
import { crc32 } from './crc32';
import {
  CHECKSUM_LENGTH,
  ColumnType,
  EVENT_HEADER_LENGTH,
  EventType,
  LOG_EVENT_ARTIFICIAL_F,
  LOG_EVENT_BINLOG_IN_USE_F,
  LOG_EVENT_IGNORABLE_F,
  OptionalMetadata,
} from './constants';
import { MysqlGtidSet } from './gtid';
import { RecentMap } from './recent-map';

export interface EventHeader {
  /** Seconds since the epoch when the statement started on the source. */
  timestamp: number;
  type: number;
  serverId: number;
  eventSize: number;
  /** Position of the next event in the current file; 0 for events made up for the dump. */
  logPos: number;
  flags: number;
}

export interface FormatDescription {
  binlogVersion: number;
  serverVersion: string;
  headerLength: number;
  /** Post-header length of each event type, indexed by type - 1. */
  postHeaderLengths: Uint8Array;
  hasChecksum: boolean;
}

/** What the binlog says about a table's columns for the rows events that follow. */
export interface TableMap {
  tableId: number;
  database: string;
  table: string;
  columnCount: number;
  /** Binlog column type; for MYSQL_TYPE_STRING the real type (STRING, ENUM or SET). */
  columnTypes: Uint8Array;
  /**
   * Per-column metadata, normalised: FLOAT/DOUBLE pack length; BLOB/JSON/GEOMETRY length bytes;
   * VARCHAR and STRING maximum byte length; ENUM/SET pack length; BIT number of bits;
   * NEWDECIMAL precision * 256 + scale; TIME2/DATETIME2/TIMESTAMP2 fractional digits.
   */
  columnMeta: Uint32Array;
  nullable: boolean[];
  /** The column types, metadata and null bits as sent: equal signatures decode identically. */
  signature: string;
  metadata: TableMapMetadata;
}

/** `binlog_row_metadata` extras (MINIMAL: signedness and charsets; FULL: the rest too). */
export interface TableMapMetadata {
  /** Per column: true unsigned, false signed, null for non-numeric columns; absent if not sent. */
  unsigned: Array<boolean | null> | null;
  /** Per column charset for character, ENUM and SET columns, null elsewhere; absent if not sent. */
  charsets: Array<string | null> | null;
  columnNames: string[] | null;
  /** Per column ENUM/SET labels, null elsewhere. */
  members: Array<string[] | null> | null;
  /** Column indexes of the primary key. */
  primaryKey: number[] | null;
}

export interface RowsEventView {
  rowsKind: 'insert' | 'update' | 'delete';
  tableId: number;
  flags: number;
  columnCount: number;
  /** Columns present in the (before) image, one bit per column. */
  presentBefore: Buffer;
  /** Columns present in the after image (updates only). */
  presentAfter: Buffer | null;
  /**
   * A MySQL 8 PARTIAL_UPDATE_ROWS_EVENT (binlog_row_value_options=PARTIAL_JSON): each row has a
   * shared image between its before and after images, and JSON columns of the after image may
   * be diffs against the before image (row-decoder.ts).
   */
  hasValueOptions: boolean;
  /** The rows part; for MariaDB's compressed rows events the decompressed copy of it. */
  bytes: Buffer;
  rowsStart: number;
  rowsEnd: number;
}

export type BinlogEvent =
  | { type: 'format_description'; header: EventHeader; formatDescription: FormatDescription }
  | { type: 'rotate'; header: EventHeader; nextFile: string; nextPosition: number }
  | {
      type: 'query';
      header: EventHeader;
      database: string;
      sql: string;
      errorCode: number;
    }
  | { type: 'table_map'; header: EventHeader; tableMap: TableMap }
  | { type: 'rows'; header: EventHeader; rows: RowsEventView }
  | { type: 'xid'; header: EventHeader; xid: string }
  /** `sid` is the TSID: the server UUID, `uuid:tag` for a tagged GTID (MySQL 8.3+). */
  | { type: 'mysql_gtid'; header: EventHeader; gtid: string | null; sid: string; gno: bigint }
  | { type: 'previous_gtids'; header: EventHeader; gtidSet: string }
  | {
      type: 'mariadb_gtid';
      header: EventHeader;
      domainId: number;
      sequence: bigint;
      isStandalone: boolean;
    }
  | {
      type: 'mariadb_gtid_list';
      header: EventHeader;
      gtids: Array<{ domainId: number; serverId: number; sequence: bigint }>;
    }
  | { type: 'heartbeat'; header: EventHeader; file: string; position: number }
  | { type: 'rows_query'; header: EventHeader; sql: string }
  | { type: 'stop'; header: EventHeader }
  | { type: 'incident'; header: EventHeader; incident: number; message: string }
  /**
   * A MySQL 8 transaction payload: `payload` holds the enclosed events (decompressed), which
   * `BinlogEventDecoder.embeddedEvents` decodes.
   */
  | { type: 'transaction_payload'; header: EventHeader; payload: Buffer }
  /** Understood and deliberately of no use to the stream (INTVAR, binlog checkpoints, …). */
  | { type: 'skipped'; header: EventHeader; reason: string };

export function binlogMalformed(
  reason: string,
  details: Record<string, unknown> = {},
): TidewaterError {
  return new TidewaterError(
    'BINLOG_EVENT_MALFORMED',
    `A binlog event could not be decoded: ${reason}.`,
    {
      category: 'internal',
      remedy:
        'Check that the source writes a supported binlog (binlog_format=ROW); report the position if it repeats.',
      details,
    },
  );
}

function unsupportedEvent(name: string, remedy: string, header: EventHeader): TidewaterError {
  return new TidewaterError(
    'BINLOG_EVENT_UNSUPPORTED',
    `The source sent a ${name} event, which Tidewater cannot decode.`,
    {
      category: 'unsupported',
      remedy,
      details: { eventType: header.type, logPos: header.logPos },
    },
  );
}

export function readHeader(bytes: Buffer): EventHeader {
  if (bytes.length < EVENT_HEADER_LENGTH)
    throw binlogMalformed(`event shorter than its header (${bytes.length} bytes)`);
  return {
    timestamp: bytes.readUInt32LE(0),
    type: bytes[4]!,
    serverId: bytes.readUInt32LE(5),
    eventSize: bytes.readUInt32LE(9),
    logPos: bytes.readUInt32LE(13),
    flags: bytes.readUInt16LE(17),
  };
}

/** Reads a length-encoded integer (protocol "int<lenenc>") at `pos`; returns [value, next]. */
export function readLengthEncoded(bytes: Buffer, pos: number): [number, number] {
  const first = bytes[pos]!;
  if (first < 0xfb) return [first, pos + 1];
  if (first === 0xfc) return [bytes.readUInt16LE(pos + 1), pos + 3];
  if (first === 0xfd) return [bytes.readUIntLE(pos + 1, 3), pos + 4];
  if (first === 0xfe) return [Number(bytes.readBigUInt64LE(pos + 1)), pos + 9];
  throw binlogMalformed(`invalid length-encoded integer prefix 0x${first.toString(16)}`);
}

/** Whether a server of this version writes the checksum-algorithm byte into its FDE (5.6.1+). */
function versionHasChecksumByte(serverVersion: string): boolean {
  if (/mariadb/i.test(serverVersion)) return true;
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(serverVersion);
  if (!match) return true;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return major > 5 || (major === 5 && (minor > 6 || (minor === 6 && patch >= 1)));
}

const UUID_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatUuid(bytes: Buffer, pos: number): string {
  let text = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += UUID_HEX[bytes[pos + i]!];
  }
  return text;
}

/**
 * Decodes events in stream order. Holds the current format description (checksum, post-header
 * lengths), which the server sends at the start of every file and of every dump.
 */
/** Decoded table maps kept for reuse (see `decodeTableMap`); a table id churns on a busy server. */
export const MAX_DECODED_TABLE_MAPS = 1024;

export class BinlogEventDecoder {
  private formatDescription: FormatDescription | null = null;
  private readonly tableMapCache = new RecentMap<number, { raw: Buffer; tableMap: TableMap }>(
    MAX_DECODED_TABLE_MAPS,
  );
  private lastSid: { bytes: Uint8Array; text: string } | null = null;

  /**
   * @param sessionChecksum Whether the dump session negotiated CRC32 checksums; decides for the
   *   events that arrive before the first format description (the dump's fake ROTATE).
   */
  constructor(private readonly sessionChecksum: boolean) {}

  get currentFormat(): FormatDescription | null {
    return this.formatDescription;
  }

  /** Decoded table maps held for reuse, for tests and monitoring. */
  get cachedTableMaps(): number {
    return this.tableMapCache.size;
  }

  /** Decodes one event (header + body + optional checksum) and verifies its checksum. */
  decode(bytes: Buffer): BinlogEvent {
    const header = readHeader(bytes);
    if (header.eventSize !== bytes.length) {
      throw binlogMalformed(
        `event size ${header.eventSize} does not match the ${bytes.length} bytes received`,
        {
          logPos: header.logPos,
        },
      );
    }
    if (header.type === EventType.FORMAT_DESCRIPTION) {
      const formatDescription = this.decodeFormatDescription(bytes, header);
      this.formatDescription = formatDescription;
      this.tableMapCache.clear();
      return { type: 'format_description', header, formatDescription };
    }
    const end = this.verifyChecksum(bytes, header);
    return this.decodeBody(bytes, header, end);
  }

  /** Returns the end of the body (before the checksum), verifying the checksum when present. */
  private verifyChecksum(bytes: Buffer, header: EventHeader): number {
    let hasChecksum: boolean;
    if (this.formatDescription) {
      hasChecksum = this.formatDescription.hasChecksum;
    } else {
      // Before the first format description (only the dump's fake ROTATE arrives there) the
      // trailer follows the file's checksum setting, which may differ from the session's: accept
      // the trailer when it verifies.
      hasChecksum =
        this.sessionChecksum &&
        bytes.length >= EVENT_HEADER_LENGTH + CHECKSUM_LENGTH &&
        crcMatches(bytes);
      return hasChecksum ? bytes.length - CHECKSUM_LENGTH : bytes.length;
    }
    if (!hasChecksum) return bytes.length;
    if (!crcMatches(bytes)) {
      throw new TidewaterError(
        'BINLOG_CHECKSUM_MISMATCH',
        `A binlog event failed its CRC32 check (event type ${header.type}, next position ${header.logPos}).`,
        {
          category: 'unavailable',
          isRetryable: true,
          remedy:
            'The event was corrupted on disk or on the network; the stream reconnects and reads it again. If it repeats, check the source binlog with mysqlbinlog --verify-binlog-checksum.',
          details: { eventType: header.type, logPos: header.logPos },
        },
      );
    }
    return bytes.length - CHECKSUM_LENGTH;
  }

  private decodeFormatDescription(bytes: Buffer, header: EventHeader): FormatDescription {
    const base = EVENT_HEADER_LENGTH;
    const binlogVersion = bytes.readUInt16LE(base);
    const rawVersion = bytes.toString('latin1', base + 2, base + 52);
    const nul = rawVersion.indexOf('\0');
    const serverVersion = nul === -1 ? rawVersion : rawVersion.slice(0, nul);
    const headerLength = bytes[base + 56]!;
    let end = bytes.length;
    let hasChecksum = false;
    if (versionHasChecksumByte(serverVersion)) {
      // A checksum-aware server always ends its FDE with the algorithm byte and 4 checksum bytes,
      // whatever binlog_checksum says (log_event.cc, Format_description_log_event).
      end = bytes.length - CHECKSUM_LENGTH - 1;
      const algorithm = bytes[end]!;
      hasChecksum = algorithm === 1;
      if (algorithm !== 0 && algorithm !== 1) {
        throw unsupportedEvent(
          `format description with checksum algorithm ${algorithm}`,
          'Set binlog_checksum to CRC32 or NONE on the source.',
          header,
        );
      }
      if (hasChecksum && !formatDescriptionCrcMatches(bytes)) {
        throw new TidewaterError(
          'BINLOG_CHECKSUM_MISMATCH',
          'The binlog format description event failed its CRC32 check.',
          {
            category: 'unavailable',
            isRetryable: true,
            remedy:
              'The stream reconnects and reads it again; if it repeats, verify the source binlog with mysqlbinlog.',
          },
        );
      }
    }
    return {
      binlogVersion,
      serverVersion,
      headerLength,
      postHeaderLengths: Uint8Array.from(bytes.subarray(base + 57, end)),
      hasChecksum,
    };
  }

  /** A server UUID as text; consecutive GTIDs almost always share it. */
  private sidText(bytes: Buffer, pos: number): string {
    const last = this.lastSid;
    if (last) {
      let i = 0;
      while (i < 16 && last.bytes[i] === bytes[pos + i]) i += 1;
      if (i === 16) return last.text;
    }
    const text = formatUuid(bytes, pos);
    this.lastSid = { bytes: Uint8Array.prototype.slice.call(bytes, pos, pos + 16), text };
    return text;
  }

  private postHeaderLength(type: number, fallback: number): number {
    const length = this.formatDescription?.postHeaderLengths[type - 1];
    return length === undefined ? fallback : length;
  }

  private decodeBody(bytes: Buffer, header: EventHeader, end: number): BinlogEvent {
    const body = EVENT_HEADER_LENGTH;
    switch (header.type) {
      case EventType.ROTATE: {
        const postHeader = this.postHeaderLength(EventType.ROTATE, 8);
        const nextPosition = postHeader >= 8 ? Number(bytes.readBigUInt64LE(body)) : 4;
        return {
          type: 'rotate',
          header,
          nextPosition,
          nextFile: bytes.toString('utf8', body + postHeader, end),
        };
      }
      case EventType.QUERY:
        return this.decodeQuery(bytes, header, end);
      case EventType.TABLE_MAP:
        return { type: 'table_map', header, tableMap: this.decodeTableMap(bytes, end) };
      case EventType.WRITE_ROWS_V1:
      case EventType.WRITE_ROWS_V2:
        return { type: 'rows', header, rows: this.decodeRowsView(bytes, header, end, 'insert') };
      case EventType.UPDATE_ROWS_V1:
      case EventType.UPDATE_ROWS_V2:
      case EventType.PARTIAL_UPDATE_ROWS:
        return { type: 'rows', header, rows: this.decodeRowsView(bytes, header, end, 'update') };
      case EventType.DELETE_ROWS_V1:
      case EventType.DELETE_ROWS_V2:
        return { type: 'rows', header, rows: this.decodeRowsView(bytes, header, end, 'delete') };
      case EventType.XID:
        return { type: 'xid', header, xid: bytes.readBigUInt64LE(body).toString() };
      case EventType.GTID: {
        // flags 1, SID 16, GNO 8 (control_events.h Gtid_event); the rest (logical clock,
        // commit timestamps, transaction length) is not needed here.
        const gno = bytes.readBigInt64LE(body + 17);
        const sid = this.sidText(bytes, body + 1);
        return { type: 'mysql_gtid', header, gtid: `${sid}:${gno}`, sid, gno };
      }
      case EventType.GTID_TAGGED:
        return decodeTaggedGtid(bytes, header, end);
      case EventType.TRANSACTION_PAYLOAD:
        return this.decodeTransactionPayload(bytes, header, end);
      case EventType.ANONYMOUS_GTID:
        return { type: 'mysql_gtid', header, gtid: null, sid: '', gno: 0n };
      case EventType.PREVIOUS_GTIDS:
        return { type: 'previous_gtids', header, gtidSet: decodeMysqlGtidSet(bytes, body) };
      case EventType.MARIADB_GTID: {
        // seq_no 8, domain_id 4, flags2 1 (MariaDB GTID_EVENT); FL_STANDALONE marks a
        // transaction without BEGIN/COMMIT (DDL), otherwise this event stands in for BEGIN.
        const sequence = bytes.readBigUInt64LE(body);
        const domainId = bytes.readUInt32LE(body + 8);
        const flags = bytes[body + 12]!;
        return {
          type: 'mariadb_gtid',
          header,
          domainId,
          sequence,
          isStandalone: (flags & 1) !== 0,
        };
      }
      case EventType.MARIADB_GTID_LIST: {
        // count (low 28 bits) then (domain 4, server 4, seq 8) each (MariaDB GTID_LIST_EVENT).
        const count = bytes.readUInt32LE(body) & 0x0fffffff;
        const gtids: Array<{ domainId: number; serverId: number; sequence: bigint }> = [];
        for (let i = 0, p = body + 4; i < count; i += 1, p += 16) {
          gtids.push({
            domainId: bytes.readUInt32LE(p),
            serverId: bytes.readUInt32LE(p + 4),
            sequence: bytes.readBigUInt64LE(p + 8),
          });
        }
        return { type: 'mariadb_gtid_list', header, gtids };
      }
      case EventType.HEARTBEAT:
        // The body is the current file name; the header's log_pos is the position in it.
        return {
          type: 'heartbeat',
          header,
          file: bytes.toString('utf8', body, end),
          position: header.logPos,
        };
      case EventType.HEARTBEAT_V2:
        return this.decodeHeartbeatV2(bytes, header, end);
      case EventType.ROWS_QUERY:
        // One length byte (truncated at 255, ignored), then the statement text to the end.
        return { type: 'rows_query', header, sql: bytes.toString('utf8', body + 1, end) };
      case EventType.ANNOTATE_ROWS:
        return { type: 'rows_query', header, sql: bytes.toString('utf8', body, end) };
      case EventType.STOP:
        return { type: 'stop', header };
      case EventType.INCIDENT: {
        const incident = bytes.readUInt16LE(body);
        const length = bytes[body + 2]!;
        return {
          type: 'incident',
          header,
          incident,
          message: bytes.toString('utf8', body + 3, body + 3 + length),
        };
      }
      case EventType.BINLOG_CHECKPOINT:
        return {
          type: 'skipped',
          header,
          reason: 'MariaDB binlog checkpoint (crash recovery bookkeeping)',
        };
      case EventType.INTVAR:
      case EventType.RAND:
      case EventType.USER_VAR:
        return {
          type: 'skipped',
          header,
          reason: 'statement context (only used by statement-based replication)',
        };
      case EventType.TRANSACTION_CONTEXT:
      case EventType.VIEW_CHANGE:
        return { type: 'skipped', header, reason: 'group replication bookkeeping' };
      case EventType.START_ENCRYPTION:
        return {
          type: 'skipped',
          header,
          reason: 'MariaDB binlog encryption marker (the server decrypts for the dump)',
        };
      case EventType.WRITE_ROWS_V0:
      case EventType.UPDATE_ROWS_V0:
      case EventType.DELETE_ROWS_V0:
        throw unsupportedEvent(
          'pre-5.1.18 rows',
          'Upgrade the source to a supported MySQL or MariaDB version.',
          header,
        );
      case EventType.QUERY_COMPRESSED:
        return this.decodeQuery(bytes, header, end, true);
      case EventType.WRITE_ROWS_COMPRESSED_V1:
      case EventType.WRITE_ROWS_COMPRESSED_V2:
        return {
          type: 'rows',
          header,
          rows: this.decodeRowsView(bytes, header, end, 'insert', true),
        };
      case EventType.UPDATE_ROWS_COMPRESSED_V1:
      case EventType.UPDATE_ROWS_COMPRESSED_V2:
        return {
          type: 'rows',
          header,
          rows: this.decodeRowsView(bytes, header, end, 'update', true),
        };
      case EventType.DELETE_ROWS_COMPRESSED_V1:
      case EventType.DELETE_ROWS_COMPRESSED_V2:
        return {
          type: 'rows',
          header,
          rows: this.decodeRowsView(bytes, header, end, 'delete', true),
        };
      case EventType.XA_PREPARE:
        throw unsupportedEvent(
          'XA PREPARE',
          'Avoid XA transactions on the migrated tables while the task runs.',
          header,
        );
      case EventType.APPEND_BLOCK:
      case EventType.DELETE_FILE:
      case EventType.BEGIN_LOAD_QUERY:
      case EventType.EXECUTE_LOAD_QUERY:
        throw unsupportedEvent(
          'statement-based LOAD DATA',
          'Set binlog_format=ROW on the source so LOAD DATA is logged as rows.',
          header,
        );
      default:
        if ((header.flags & LOG_EVENT_IGNORABLE_F) !== 0 || header.type === EventType.IGNORABLE) {
          return { type: 'skipped', header, reason: `ignorable event type ${header.type}` };
        }
        throw unsupportedEvent(
          `type ${header.type}`,
          'Check that the source version is supported.',
          header,
        );
    }
  }

  private decodeQuery(
    bytes: Buffer,
    header: EventHeader,
    end: number,
    isCompressed = false,
  ): BinlogEvent {
    // Post-header: thread id 4, exec time 4, db length 1, error code 2, status vars length 2.
    const base = EVENT_HEADER_LENGTH;
    const postHeader = this.postHeaderLength(header.type, 13);
    const databaseLength = bytes[base + 8]!;
    const errorCode = bytes.readUInt16LE(base + 9);
    const statusLength = postHeader >= 13 ? bytes.readUInt16LE(base + 11) : 0;
    const statusStart = base + postHeader;
    const databaseStart = statusStart + statusLength;
    const database = bytes.toString('utf8', databaseStart, databaseStart + databaseLength);
    const sqlStart = databaseStart + databaseLength + 1;
    if (!isCompressed && isBegin(bytes, sqlStart, end)) {
      // Every transaction opens with it: skip the charset lookup (a client charset is
      // ASCII-compatible; the server refuses ucs2, utf16 and utf32 as character_set_client).
      return { type: 'query', header, database, sql: 'BEGIN', errorCode };
    }
    const collationId = readQueryClientCollation(bytes, statusStart, databaseStart);
    const decode = textDecoderFor(
      collationId === null ? 'utf8mb4' : (charsetOfCollation(collationId) ?? 'utf8mb4'),
    );
    if (isCompressed) {
      // MariaDB's QUERY_COMPRESSED_EVENT: the statement text is one compressed block.
      const text = inflateMariadbBlock(bytes, sqlStart, end, eventDetails(header));
      return { type: 'query', header, database, sql: decode(text, 0, text.length), errorCode };
    }
    return { type: 'query', header, database, sql: decode(bytes, sqlStart, end), errorCode };
  }

  /**
   * TRANSACTION_PAYLOAD_EVENT (MySQL 8.0.20+, control_events.h `Transaction_payload_event`,
   * codecs/binary.cpp `Transaction_payload::decode`): after the (empty) post-header, fields of
   * (type, length, value), each length-encoded, ended by type 0 — 1 payload size, 2 compression
   * type (0 = ZSTD, 255 = NONE), 3 uncompressed size — then the payload.
   */
  private decodeTransactionPayload(bytes: Buffer, header: EventHeader, end: number): BinlogEvent {
    let p = EVENT_HEADER_LENGTH + this.postHeaderLength(EventType.TRANSACTION_PAYLOAD, 0);
    let payloadSize = -1;
    let compression = PAYLOAD_COMPRESSION_NONE;
    let uncompressedSize = 0;
    while (p < end) {
      const [field, afterField] = readLengthEncoded(bytes, afterFieldCheck(p, end, header));
      p = afterField;
      if (field === 0) break;
      const [length, valueStart] = readLengthEncoded(bytes, afterFieldCheck(p, end, header));
      const value = readLengthEncoded(bytes, afterFieldCheck(valueStart, end, header))[0];
      if (field === 1) payloadSize = value;
      else if (field === 2) compression = value;
      else if (field === 3) uncompressedSize = value;
      p = valueStart + length;
    }
    if (payloadSize < 0 || p + payloadSize > end) {
      throw binlogMalformed(
        `a transaction payload declares ${payloadSize} payload bytes where ${end - p} remain`,
        eventDetails(header),
      );
    }
    const data = bytes.subarray(p, p + payloadSize);
    switch (compression) {
      case PAYLOAD_COMPRESSION_NONE:
        return { type: 'transaction_payload', header, payload: data };
      case PAYLOAD_COMPRESSION_ZSTD:
        return {
          type: 'transaction_payload',
          header,
          payload: decompressZstd(data, uncompressedSize || payloadSize, eventDetails(header)),
        };
      default:
        throw unsupportedEvent(
          `transaction payload compressed with algorithm ${compression}`,
          'Only zstd exists in MySQL 8; check the source version, or set binlog_transaction_compression=OFF on the source and restart the task with a new full data migration.',
          header,
        );
    }
  }

  /**
   * The events a transaction payload encloses, one at a time: whole events without checksums
   * (mysqlbinlog and the replica applier read them so). They have no position of their own in
   * the file; each is given the payload's, where a reader resumes after the transaction.
   */
  *embeddedEvents(
    event: Extract<BinlogEvent, { type: 'transaction_payload' }>,
  ): Generator<BinlogEvent, void, undefined> {
    const { payload, header: outer } = event;
    let p = 0;
    while (p < payload.length) {
      const size = payload.length - p >= 13 ? payload.readUInt32LE(p + 9) : 0;
      if (size < EVENT_HEADER_LENGTH || p + size > payload.length) {
        throw binlogMalformed(
          `an event inside a transaction payload has size ${size} where ${payload.length - p} bytes remain`,
          eventDetails(outer),
        );
      }
      const bytes = payload.subarray(p, p + size);
      const header = readHeader(bytes);
      header.logPos = outer.logPos;
      if (
        header.type === EventType.FORMAT_DESCRIPTION ||
        header.type === EventType.TRANSACTION_PAYLOAD
      ) {
        throw binlogMalformed(
          `a transaction payload encloses an event of type ${header.type}`,
          eventDetails(outer),
        );
      }
      p += size;
      yield this.decodeBody(bytes, header, size);
    }
  }

  private decodeTableMap(bytes: Buffer, end: number): TableMap {
    const base = EVENT_HEADER_LENGTH;
    const postHeader = this.postHeaderLength(EventType.TABLE_MAP, 8);
    const tableId = postHeader === 6 ? bytes.readUInt32LE(base) : bytes.readUIntLE(base, 6);
    // The server repeats the same TABLE_MAP before every statement on a table: when the bytes
    // match the last one for this table id, so does the result.
    const cached = this.tableMapCache.get(tableId);
    if (cached && cached.raw.length === end - base && cached.raw.compare(bytes, base, end) === 0) {
      return cached.tableMap;
    }
    const tableMap = this.decodeTableMapBody(bytes, base, postHeader, tableId, end);
    this.tableMapCache.set(tableId, { raw: Buffer.from(bytes.subarray(base, end)), tableMap });
    this.tableMapCache.trim();
    return tableMap;
  }

  private decodeTableMapBody(
    bytes: Buffer,
    base: number,
    postHeader: number,
    tableId: number,
    end: number,
  ): TableMap {
    let p = base + postHeader;
    const databaseLength = bytes[p]!;
    const database = bytes.toString('utf8', p + 1, p + 1 + databaseLength);
    p += databaseLength + 2;
    const tableLength = bytes[p]!;
    const table = bytes.toString('utf8', p + 1, p + 1 + tableLength);
    p += tableLength + 2;
    const signatureStart = p;
    const [columnCount, typesStart] = readLengthEncoded(bytes, p);
    const columnTypes = new Uint8Array(columnCount);
    const columnMeta = new Uint32Array(columnCount);
    const [metaLength, metaStart] = readLengthEncoded(bytes, typesStart + columnCount);
    const metaEnd = metaStart + metaLength;
    let m = metaStart;
    for (let i = 0; i < columnCount; i += 1) {
      let type = bytes[typesStart + i]!;
      let meta = 0;
      switch (type) {
        case ColumnType.FLOAT:
        case ColumnType.DOUBLE:
        case ColumnType.BLOB:
        case ColumnType.GEOMETRY:
        case ColumnType.JSON:
        case ColumnType.TIME2:
        case ColumnType.DATETIME2:
        case ColumnType.TIMESTAMP2:
        case ColumnType.VECTOR:
          meta = bytes[m]!;
          m += 1;
          break;
        case ColumnType.VARCHAR:
        case ColumnType.VAR_STRING:
          meta = bytes.readUInt16LE(m);
          m += 2;
          break;
        case ColumnType.BIT:
          // byte 0: bits beyond whole bytes, byte 1: whole bytes.
          meta = bytes[m + 1]! * 8 + bytes[m]!;
          m += 2;
          break;
        case ColumnType.NEWDECIMAL:
          meta = bytes[m]! * 256 + bytes[m + 1]!;
          m += 2;
          break;
        case ColumnType.STRING:
        case ColumnType.ENUM:
        case ColumnType.SET: {
          // byte 0: real type, byte 1: length. CHAR columns longer than 255 bytes borrow two bits
          // of the type byte for the length's bits 8–9 (Field_string::save_field_metadata).
          const first = bytes[m]!;
          const second = bytes[m + 1]!;
          m += 2;
          if ((first & 0x30) !== 0x30) {
            type = first | 0x30;
            meta = second | (((first & 0x30) ^ 0x30) << 4);
          } else {
            type = first;
            meta = second;
          }
          break;
        }
        default:
          meta = 0;
      }
      columnTypes[i] = type;
      columnMeta[i] = meta;
    }
    if (m !== metaEnd)
      throw binlogMalformed(`table map metadata of ${database}.${table} has an unexpected length`);
    const nullBitsLength = (columnCount + 7) >> 3;
    const nullable: boolean[] = new Array<boolean>(columnCount);
    for (let i = 0; i < columnCount; i += 1)
      nullable[i] = (bytes[metaEnd + (i >> 3)]! & (1 << (i & 7))) !== 0;
    const optionalStart = metaEnd + nullBitsLength;
    const signature = bytes.toString('latin1', signatureStart, optionalStart);
    const metadata = decodeOptionalMetadata(bytes, optionalStart, end, columnTypes);
    return {
      tableId,
      database,
      table,
      columnCount,
      columnTypes,
      columnMeta,
      nullable,
      signature,
      metadata,
    };
  }

  private decodeRowsView(
    bytes: Buffer,
    header: EventHeader,
    end: number,
    rowsKind: RowsEventView['rowsKind'],
    isCompressed = false,
  ): RowsEventView {
    const base = EVENT_HEADER_LENGTH;
    const type = header.type;
    // v2 layout: MySQL's rows events 30-32 and PARTIAL_UPDATE_ROWS, MariaDB's compressed 169-171.
    const isV2 =
      (type >= EventType.WRITE_ROWS_V2 && type <= EventType.DELETE_ROWS_V2) ||
      type === EventType.PARTIAL_UPDATE_ROWS ||
      (type >= EventType.WRITE_ROWS_COMPRESSED_V2 && type <= EventType.DELETE_ROWS_COMPRESSED_V2);
    const typePostHeader = this.postHeaderLength(header.type, isV2 ? 10 : 8);
    const tableIdLength = typePostHeader === 6 ? 4 : 6;
    const tableId = bytes.readUIntLE(base, tableIdLength);
    const flags = bytes.readUInt16LE(base + tableIdLength);
    let p = base + tableIdLength + 2;
    if (isV2) {
      // v2 carries "extra row info" (NDB data, MySQL 8 partition ids) whose length includes
      // its own two bytes; none of it is needed to decode the rows.
      const extraLength = bytes.readUInt16LE(p);
      p += Math.max(extraLength, 2);
    }
    const [columnCount, afterCount] = readLengthEncoded(bytes, p);
    const bitmapLength = (columnCount + 7) >> 3;
    const presentBefore = bytes.subarray(afterCount, afterCount + bitmapLength);
    p = afterCount + bitmapLength;
    let presentAfter: Buffer | null = null;
    if (rowsKind === 'update') {
      presentAfter = bytes.subarray(p, p + bitmapLength);
      p += bitmapLength;
    }
    if (isCompressed) {
      // MariaDB (log_event.cc `row_log_event_uncompress`): the rows are one compressed block.
      const rows = inflateMariadbBlock(bytes, p, end, eventDetails(header));
      return {
        rowsKind,
        tableId,
        flags,
        columnCount,
        presentBefore,
        presentAfter,
        hasValueOptions: false,
        bytes: rows,
        rowsStart: 0,
        rowsEnd: rows.length,
      };
    }
    return {
      rowsKind,
      tableId,
      flags,
      columnCount,
      presentBefore,
      presentAfter,
      hasValueOptions: type === EventType.PARTIAL_UPDATE_ROWS,
      bytes,
      rowsStart: p,
      rowsEnd: end,
    };
  }

  private decodeHeartbeatV2(bytes: Buffer, header: EventHeader, end: number): BinlogEvent {
    // MySQL 8.0.26+ HEARTBEAT_LOG_EVENT_V2: (type, length, value) fields with length-encoded
    // type and length, ended by type 0; 1 = file name, 2 = position (itself length-encoded).
    let p = EVENT_HEADER_LENGTH;
    let file = '';
    let position = header.logPos;
    while (p < end) {
      const [fieldType, afterType] = readLengthEncoded(bytes, p);
      if (fieldType === 0) break;
      const [length, value] = readLengthEncoded(bytes, afterType);
      if (fieldType === 1) file = bytes.toString('utf8', value, value + length);
      else if (fieldType === 2) position = readLengthEncoded(bytes, value)[0];
      p = value + length;
    }
    return { type: 'heartbeat', header, file, position };
  }
}

/** Whether `bytes[start, end)` is the ASCII text `BEGIN`. */
function isBegin(bytes: Buffer, start: number, end: number): boolean {
  return (
    end - start === 5 &&
    bytes[start] === 0x42 &&
    bytes[start + 1] === 0x45 &&
    bytes[start + 2] === 0x47 &&
    bytes[start + 3] === 0x49 &&
    bytes[start + 4] === 0x4e
  );
}

function crcMatches(bytes: Buffer): boolean {
  const end = bytes.length - CHECKSUM_LENGTH;
  return crc32(bytes, 0, end) === bytes.readUInt32LE(end);
}

/**
 * A format description's checksum is computed with LOG_EVENT_BINLOG_IN_USE_F cleared (the server
 * clears the flag in place when it closes the file): the file of a running server has the flag
 * set and a checksum without it (log_event.cc `Log_event_footer::event_checksum_test`).
 */
function formatDescriptionCrcMatches(bytes: Buffer): boolean {
  if ((bytes[17]! & LOG_EVENT_BINLOG_IN_USE_F) === 0) return crcMatches(bytes);
  const copy = Buffer.from(bytes);
  copy[17] = copy[17]! & ~LOG_EVENT_BINLOG_IN_USE_F;
  return crcMatches(copy);
}

/**
 * The client charset (Q_CHARSET_CODE, collation of character_set_client) from a Query event's
 * status variables; null when absent or behind a variable we cannot size. Sizes per
 * statement_events.h `Query_event` and MariaDB's additions (Q_HRNOW 128, Q_XID 129, …).
 */
function readQueryClientCollation(bytes: Buffer, start: number, end: number): number | null {
  let p = start;
  while (p < end) {
    const code = bytes[p]!;
    p += 1;
    switch (code) {
      case 0: // Q_FLAGS2_CODE
      case 10: // Q_MASTER_DATA_WRITTEN_CODE
        p += 4;
        break;
      case 1: // Q_SQL_MODE_CODE
      case 9: // Q_TABLE_MAP_FOR_UPDATE_CODE
      case 17: // Q_DDL_LOGGED_WITH_XID
      case 129: // MariaDB Q_XID
        p += 8;
        break;
      case 2: // Q_CATALOG_CODE: length, text, NUL
        p += bytes[p]! + 2;
        break;
      case 3: // Q_AUTO_INCREMENT
        p += 4;
        break;
      case 4: // Q_CHARSET_CODE: client, connection, server collation ids
        return bytes.readUInt16LE(p);
      case 5: // Q_TIME_ZONE_CODE
      case 6: // Q_CATALOG_NZ_CODE
        p += bytes[p]! + 1;
        break;
      case 7: // Q_LC_TIME_NAMES_CODE
      case 8: // Q_CHARSET_DATABASE_CODE
      case 18: // Q_DEFAULT_COLLATION_FOR_UTF8MB4
        p += 2;
        break;
      case 11: // Q_INVOKER: user and host, each length-prefixed
        p += bytes[p]! + 1;
        p += bytes[p]! + 1;
        break;
      case 12: {
        // Q_UPDATED_DB_NAMES: count, then NUL-terminated names (254 = too many, none listed)
        const count = bytes[p]!;
        p += 1;
        if (count !== 254) {
          for (let i = 0; i < count; i += 1) {
            while (p < end && bytes[p] !== 0) p += 1;
            p += 1;
          }
        }
        break;
      }
      case 13: // Q_MICROSECONDS
      case 128: // MariaDB Q_HRNOW
        p += 3;
        break;
      case 16: // Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP
      case 19: // Q_SQL_REQUIRE_PRIMARY_KEY
      case 20: // Q_DEFAULT_TABLE_ENCRYPTION
      case 130: // MariaDB Q_GTID_FLAGS3
        p += 1;
        break;
      default:
        return null;
    }
  }
  return null;
}

function isNumericType(type: number): boolean {
  switch (type) {
    case ColumnType.TINY:
    case ColumnType.SHORT:
    case ColumnType.INT24:
    case ColumnType.LONG:
    case ColumnType.LONGLONG:
    case ColumnType.NEWDECIMAL:
    case ColumnType.FLOAT:
    case ColumnType.DOUBLE:
      return true;
    default:
      return false;
  }
}

/** Columns the DEFAULT_CHARSET / COLUMN_CHARSET fields cover (rows_event.h `is_character_type`). */
function isCharacterType(type: number): boolean {
  return (
    type === ColumnType.STRING ||
    type === ColumnType.VAR_STRING ||
    type === ColumnType.VARCHAR ||
    type === ColumnType.BLOB
  );
}

function isEnumOrSet(type: number): boolean {
  return type === ColumnType.ENUM || type === ColumnType.SET;
}

/** Decodes the optional metadata fields that follow the null bits (binlog_row_metadata). */
function decodeOptionalMetadata(
  bytes: Buffer,
  start: number,
  end: number,
  types: Uint8Array,
): TableMapMetadata {
  const metadata: TableMapMetadata = {
    unsigned: null,
    charsets: null,
    columnNames: null,
    members: null,
    primaryKey: null,
  };
  const count = types.length;
  const characterColumns: number[] = [];
  const enumSetColumns: number[] = [];
  for (let i = 0; i < count; i += 1) {
    if (isCharacterType(types[i]!)) characterColumns.push(i);
    else if (isEnumOrSet(types[i]!)) enumSetColumns.push(i);
  }
  const setCharsets = (columns: number[], collations: number[]): void => {
    metadata.charsets ??= new Array<string | null>(count).fill(null);
    columns.forEach((column, index) => {
      const collation = collations[index];
      metadata.charsets![column] = collation === undefined ? null : charsetOfCollation(collation);
    });
  };
  const readDefaultCharset = (p: number, fieldEnd: number, columns: number[]): void => {
    // The most common collation, then (index among these columns, collation) for the others.
    const [defaultCollation, afterDefault] = readLengthEncoded(bytes, p);
    let q = afterDefault;
    const collations = columns.map(() => defaultCollation);
    while (q < fieldEnd) {
      const [index, next] = readLengthEncoded(bytes, q);
      const [collation, after] = readLengthEncoded(bytes, next);
      collations[index] = collation;
      q = after;
    }
    setCharsets(columns, collations);
  };
  const readColumnCharsets = (p: number, fieldEnd: number, columns: number[]): void => {
    const collations: number[] = [];
    let q = p;
    while (q < fieldEnd) {
      const [collation, next] = readLengthEncoded(bytes, q);
      collations.push(collation);
      q = next;
    }
    setCharsets(columns, collations);
  };
  const readMembers = (p: number, fieldEnd: number, type: number): void => {
    metadata.members ??= new Array<string[] | null>(count).fill(null);
    let q = p;
    for (let i = 0; i < count && q < fieldEnd; i += 1) {
      if (types[i] !== type) continue;
      const [memberCount, afterCount] = readLengthEncoded(bytes, q);
      q = afterCount;
      const labels: string[] = [];
      for (let j = 0; j < memberCount; j += 1) {
        const [length, text] = readLengthEncoded(bytes, q);
        labels.push(bytes.toString('utf8', text, text + length));
        q = text + length;
      }
      metadata.members[i] = labels;
    }
  };
  let p = start;
  while (p < end) {
    const fieldType = bytes[p]!;
    const [length, value] = readLengthEncoded(bytes, p + 1);
    const fieldEnd = value + length;
    switch (fieldType) {
      case OptionalMetadata.SIGNEDNESS: {
        // One bit per numeric column, most significant bit first; set means UNSIGNED.
        metadata.unsigned = new Array<boolean | null>(count).fill(null);
        let numeric = 0;
        for (let i = 0; i < count; i += 1) {
          if (!isNumericType(types[i]!)) continue;
          metadata.unsigned[i] = (bytes[value + (numeric >> 3)]! & (0x80 >> (numeric & 7))) !== 0;
          numeric += 1;
        }
        break;
      }
      case OptionalMetadata.DEFAULT_CHARSET:
        readDefaultCharset(value, fieldEnd, characterColumns);
        break;
      case OptionalMetadata.COLUMN_CHARSET:
        readColumnCharsets(value, fieldEnd, characterColumns);
        break;
      case OptionalMetadata.ENUM_AND_SET_DEFAULT_CHARSET:
        readDefaultCharset(value, fieldEnd, enumSetColumns);
        break;
      case OptionalMetadata.ENUM_AND_SET_COLUMN_CHARSET:
        readColumnCharsets(value, fieldEnd, enumSetColumns);
        break;
      case OptionalMetadata.COLUMN_NAME: {
        const names: string[] = [];
        let q = value;
        while (q < fieldEnd) {
          const [nameLength, text] = readLengthEncoded(bytes, q);
          names.push(bytes.toString('utf8', text, text + nameLength));
          q = text + nameLength;
        }
        metadata.columnNames = names;
        break;
      }
      case OptionalMetadata.SET_STR_VALUE:
        readMembers(value, fieldEnd, ColumnType.SET);
        break;
      case OptionalMetadata.ENUM_STR_VALUE:
        readMembers(value, fieldEnd, ColumnType.ENUM);
        break;
      case OptionalMetadata.SIMPLE_PRIMARY_KEY: {
        const key: number[] = [];
        let q = value;
        while (q < fieldEnd) {
          const [column, next] = readLengthEncoded(bytes, q);
          key.push(column);
          q = next;
        }
        metadata.primaryKey = key;
        break;
      }
      case OptionalMetadata.PRIMARY_KEY_WITH_PREFIX: {
        const key: number[] = [];
        let q = value;
        while (q < fieldEnd) {
          const [column, next] = readLengthEncoded(bytes, q);
          key.push(column);
          q = readLengthEncoded(bytes, next)[1];
        }
        metadata.primaryKey = key;
        break;
      }
      default:
        // GEOMETRY_TYPE, COLUMN_VISIBILITY and future fields: not needed to decode rows.
        break;
    }
    p = fieldEnd;
  }
  return metadata;
}

/**
 * MySQL's encoded GTID set (PREVIOUS_GTIDS body, rpl_gtid_set.cc `Gtid_set::encode`): n_sids 8,
 * then per TSID the 16 UUID bytes, n_intervals 8 and [start, end) pairs of 8 bytes. MySQL 8.3+
 * writes a tagged format when the set has tags: the top byte of the first 8 is the format (1),
 * n_sids sits in bits 8-55, and each UUID is followed by its tag (serialization-library length,
 * then the bytes; empty for untagged GTIDs).
 */
export function decodeMysqlGtidSet(bytes: Buffer, pos: number): string {
  const head = bytes.readBigUInt64LE(pos);
  const format = Number(head >> 56n);
  if (format !== 0 && format !== 1) throw binlogMalformed(`GTID set encoding format ${format}`);
  const isTagged = format === 1;
  const sidCount = Number(isTagged ? (head >> 8n) & 0xffffffffffffn : head & 0xffffffffffffffn);
  const set = new MysqlGtidSet();
  let p = pos + 8;
  for (let i = 0; i < sidCount; i += 1) {
    const uuid = formatUuid(bytes, p);
    p += 16;
    let tag = '';
    if (isTagged) {
      const [length, next] = readSerializedUnsigned(bytes, p, bytes.length);
      tag = bytes.toString('latin1', next, next + Number(length));
      p = next + Number(length);
    }
    const intervalCount = Number(bytes.readBigUInt64LE(p));
    p += 8;
    const tsid = tag === '' ? uuid : `${uuid}:${tag}`;
    for (let j = 0; j < intervalCount; j += 1) {
      set.addRange(tsid, bytes.readBigInt64LE(p), bytes.readBigInt64LE(p + 8));
      p += 16;
    }
  }
  return set.toString();
}

/**
 * An unsigned integer of the MySQL serialization library (libs/mysql/serialization/readme.md,
 * variable_length_integers.h): the first byte's trailing one bits plus one give the byte count
 * (1-9); the value follows the terminating zero bit, little-endian. Returns [value, next].
 */
function readSerializedUnsigned(bytes: Buffer, pos: number, end: number): [bigint, number] {
  const first = bytes[pos];
  if (first === undefined || pos >= end) throw binlogMalformed('truncated serialized integer');
  let count = 1;
  while (count < 9 && (first & (1 << (count - 1))) !== 0) count += 1;
  if (pos + count > end) throw binlogMalformed('truncated serialized integer');
  if (count === 1) return [BigInt(first >> 1), pos + 1];
  let rest = 0n;
  for (let i = count - 1; i >= 1; i -= 1) rest = (rest << 8n) | BigInt(bytes[pos + i]!);
  // The first byte holds 8 - count value bits (none when count is 9).
  const value = count === 9 ? rest : (rest << BigInt(8 - count)) | BigInt(first >> count);
  return [value, pos + count];
}

/** The signed form: the sign in the lowest bit (x >= 0: x << 1; x < 0: ((-x - 1) << 1) | 1). */
function readSerializedSigned(bytes: Buffer, pos: number, end: number): [bigint, number] {
  const [value, next] = readSerializedUnsigned(bytes, pos, end);
  return [(value & 1n) === 0n ? value >> 1n : -(value >> 1n) - 1n, next];
}

/**
 * GTID_TAGGED_LOG_EVENT (MySQL 8.3+, control_events.h `Gtid_event::define_fields`), written by
 * the serialization library: format version, message size and last non-ignorable field id,
 * then (field id, value) pairs in id order. Fields 0-3 are always present: flags, the UUID (16
 * integers, one per byte), GNO (signed) and the tag (length, then bytes); the rest (logical
 * clock, commit timestamps, transaction length, server versions) is not needed here.
 */
function decodeTaggedGtid(bytes: Buffer, header: EventHeader, end: number): BinlogEvent {
  let p = EVENT_HEADER_LENGTH;
  for (let i = 0; i < 3; i += 1) p = readSerializedUnsigned(bytes, p, end)[1];
  const field = (id: number): void => {
    const [found, next] = readSerializedUnsigned(bytes, p, end);
    if (found !== BigInt(id))
      throw binlogMalformed(`tagged GTID event has field ${found} where ${id} belongs`, {
        logPos: header.logPos,
      });
    p = next;
  };
  field(0);
  p = readSerializedUnsigned(bytes, p, end)[1];
  field(1);
  const uuid = Buffer.alloc(16);
  for (let i = 0; i < 16; i += 1) {
    const [byte, next] = readSerializedUnsigned(bytes, p, end);
    uuid[i] = Number(byte & 0xffn);
    p = next;
  }
  field(2);
  const [gno, afterGno] = readSerializedSigned(bytes, p, end);
  p = afterGno;
  field(3);
  const [tagLength, tagStart] = readSerializedUnsigned(bytes, p, end);
  const tag = bytes.toString('latin1', tagStart, tagStart + Number(tagLength)).toLowerCase();
  const uuidText = formatUuid(uuid, 0);
  const sid = tag === '' ? uuidText : `${uuidText}:${tag}`;
  return { type: 'mysql_gtid', header, gtid: `${sid}:${gno}`, sid, gno };
}

const PAYLOAD_COMPRESSION_ZSTD = 0;
const PAYLOAD_COMPRESSION_NONE = 255;

function eventDetails(header: EventHeader): Record<string, unknown> {
  return { eventType: header.type, logPos: header.logPos };
}

/** `pos` when a length-encoded integer can start there before `end`; a malformed event if not. */
function afterFieldCheck(pos: number, end: number, header: EventHeader): number {
  if (pos >= end)
    throw binlogMalformed('a transaction payload header is cut short', eventDetails(header));
  return pos;
}

/** Whether the event is one the server made up for this dump rather than read from a file. */
export function isArtificial(header: EventHeader): boolean {
  return (header.flags & LOG_EVENT_ARTIFICIAL_F) !== 0 || header.logPos === 0;
}
