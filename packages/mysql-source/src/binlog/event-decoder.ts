/**
 * Binlog events from bytes: the v4 event header, the checksum trailer, and the body of every
 * event type the stream needs. Rows are not decoded here (that needs the table's schema, see
 * `row-decoder.ts`); a rows event is returned as a view onto its bytes.
 *
 * Layouts follow MySQL's "Binary log" internals documentation (libbinlogevents: control_events.h,
 * statement_events.h, rows_event.h) and MariaDB's "Replication protocol" pages for event types
 * 160 and up. Where the two differ the comment at the decoding says so.
 */
import { crc32 } from 'node:zlib';
import { TidewaterError } from '@tidewater/errors';
import { charsetOfCollation, textDecoderFor } from './charset';
import {
  CHECKSUM_LENGTH,
  ColumnType,
  EVENT_HEADER_LENGTH,
  EventType,
  LOG_EVENT_ARTIFICIAL_F,
  LOG_EVENT_IGNORABLE_F,
  OptionalMetadata,
} from './constants';
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
        'Check that the source writes a supported binlog (binlog_format=ROW, no binlog compression); report the position if it repeats.',
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
  private lastSid: { bytes: Buffer; text: string } | null = null;

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
      if (hasChecksum && !crcMatches(bytes)) {
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
    if (last && last.bytes.compare(bytes, pos, pos + 16) === 0) return last.text;
    const text = formatUuid(bytes, pos);
    this.lastSid = { bytes: Buffer.from(bytes.subarray(pos, pos + 16)), text };
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
      case EventType.PARTIAL_UPDATE_ROWS:
        throw unsupportedEvent(
          'partial JSON update rows',
          'Set binlog_row_value_options to an empty value on the source so updates are logged as full rows.',
          header,
        );
      case EventType.TRANSACTION_PAYLOAD:
        throw unsupportedEvent(
          'compressed transaction payload',
          'Set binlog_transaction_compression=OFF on the source.',
          header,
        );
      case EventType.QUERY_COMPRESSED:
      case EventType.WRITE_ROWS_COMPRESSED_V1:
      case EventType.UPDATE_ROWS_COMPRESSED_V1:
      case EventType.DELETE_ROWS_COMPRESSED_V1:
      case EventType.WRITE_ROWS_COMPRESSED_V2:
      case EventType.UPDATE_ROWS_COMPRESSED_V2:
      case EventType.DELETE_ROWS_COMPRESSED_V2:
        throw unsupportedEvent(
          'MariaDB compressed',
          'Set log_bin_compress=OFF on the source.',
          header,
        );
      case EventType.GTID_TAGGED:
        throw unsupportedEvent(
          'tagged GTID',
          'Stop using tagged GTIDs on the source, or start the task by file and position.',
          header,
        );
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

  private decodeQuery(bytes: Buffer, header: EventHeader, end: number): BinlogEvent {
    // Post-header: thread id 4, exec time 4, db length 1, error code 2, status vars length 2.
    const base = EVENT_HEADER_LENGTH;
    const postHeader = this.postHeaderLength(EventType.QUERY, 13);
    const databaseLength = bytes[base + 8]!;
    const errorCode = bytes.readUInt16LE(base + 9);
    const statusLength = postHeader >= 13 ? bytes.readUInt16LE(base + 11) : 0;
    const statusStart = base + postHeader;
    const databaseStart = statusStart + statusLength;
    const collationId = readQueryClientCollation(bytes, statusStart, databaseStart);
    const decode = textDecoderFor(
      collationId === null ? 'utf8mb4' : (charsetOfCollation(collationId) ?? 'utf8mb4'),
    );
    const database = bytes.toString('utf8', databaseStart, databaseStart + databaseLength);
    const sqlStart = databaseStart + databaseLength + 1;
    return { type: 'query', header, database, sql: decode(bytes, sqlStart, end), errorCode };
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
  ): RowsEventView {
    const base = EVENT_HEADER_LENGTH;
    const isV2 = header.type >= EventType.WRITE_ROWS_V2 && header.type <= EventType.DELETE_ROWS_V2;
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
    return {
      rowsKind,
      tableId,
      flags,
      columnCount,
      presentBefore,
      presentAfter,
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

function crcMatches(bytes: Buffer): boolean {
  const end = bytes.length - CHECKSUM_LENGTH;
  return crc32(bytes.subarray(0, end)) === bytes.readUInt32LE(end);
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

/** MySQL's encoded GTID set (PREVIOUS_GTIDS body): n_sids, then sid, n_intervals, [start, end). */
export function decodeMysqlGtidSet(bytes: Buffer, pos: number): string {
  const sidCount = Number(bytes.readBigUInt64LE(pos));
  let p = pos + 8;
  const parts: string[] = [];
  for (let i = 0; i < sidCount; i += 1) {
    const sid = formatUuid(bytes, p);
    const intervalCount = Number(bytes.readBigUInt64LE(p + 16));
    p += 24;
    let text = sid;
    for (let j = 0; j < intervalCount; j += 1) {
      const first = bytes.readBigInt64LE(p);
      const last = bytes.readBigInt64LE(p + 8) - 1n;
      text += first === last ? `:${first}` : `:${first}-${last}`;
      p += 16;
    }
    parts.push(text);
  }
  return parts.join(',');
}

/** Whether the event is one the server made up for this dump rather than read from a file. */
export function isArtificial(header: EventHeader): boolean {
  return (header.flags & LOG_EVENT_ARTIFICIAL_F) !== 0 || header.logPos === 0;
}
