/**
 * Numbers from the binlog format. Event type codes follow MySQL's `Log_event_type`
 * (libbinlogevents/include/binlog_event.h) and MariaDB's additions from 160 up
 * (sql/log_event.h, "MariaDB replication protocol" in the MariaDB knowledge base); column type
 * codes follow `enum_field_types` (include/field_types.h / mysql_com.h).
 */

export const EventType = {
  UNKNOWN: 0,
  START_V3: 1,
  QUERY: 2,
  STOP: 3,
  ROTATE: 4,
  INTVAR: 5,
  SLAVE: 7,
  APPEND_BLOCK: 9,
  DELETE_FILE: 11,
  RAND: 13,
  USER_VAR: 14,
  FORMAT_DESCRIPTION: 15,
  XID: 16,
  BEGIN_LOAD_QUERY: 17,
  EXECUTE_LOAD_QUERY: 18,
  TABLE_MAP: 19,
  WRITE_ROWS_V0: 20,
  UPDATE_ROWS_V0: 21,
  DELETE_ROWS_V0: 22,
  WRITE_ROWS_V1: 23,
  UPDATE_ROWS_V1: 24,
  DELETE_ROWS_V1: 25,
  INCIDENT: 26,
  HEARTBEAT: 27,
  IGNORABLE: 28,
  ROWS_QUERY: 29,
  WRITE_ROWS_V2: 30,
  UPDATE_ROWS_V2: 31,
  DELETE_ROWS_V2: 32,
  GTID: 33,
  ANONYMOUS_GTID: 34,
  PREVIOUS_GTIDS: 35,
  TRANSACTION_CONTEXT: 36,
  VIEW_CHANGE: 37,
  XA_PREPARE: 38,
  PARTIAL_UPDATE_ROWS: 39,
  TRANSACTION_PAYLOAD: 40,
  HEARTBEAT_V2: 41,
  GTID_TAGGED: 42,
  // MariaDB
  ANNOTATE_ROWS: 160,
  BINLOG_CHECKPOINT: 161,
  MARIADB_GTID: 162,
  MARIADB_GTID_LIST: 163,
  START_ENCRYPTION: 164,
  QUERY_COMPRESSED: 165,
  WRITE_ROWS_COMPRESSED_V1: 166,
  UPDATE_ROWS_COMPRESSED_V1: 167,
  DELETE_ROWS_COMPRESSED_V1: 168,
  WRITE_ROWS_COMPRESSED_V2: 169,
  UPDATE_ROWS_COMPRESSED_V2: 170,
  DELETE_ROWS_COMPRESSED_V2: 171,
  PARTIAL_ROW_DATA: 172,
} as const;

export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  TYPED_ARRAY: 20,
  VECTOR: 242,
  INVALID: 243,
  BOOL: 244,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/**
 * Event header flag of a FORMAT_DESCRIPTION event: the file is still being written (or its
 * server did not close it). The server clears it in place when it closes the file, so the
 * event's checksum is computed without it.
 */
export const LOG_EVENT_BINLOG_IN_USE_F = 0x01;
/** Event header flag: the event was made up by the server for the dump (fake ROTATE, …). */
export const LOG_EVENT_ARTIFICIAL_F = 0x20;
/** Event header flag: a replica may skip the event when it does not know its type. */
export const LOG_EVENT_IGNORABLE_F = 0x80;

/** Rows event flag: the last rows event of its statement. */
export const ROWS_STMT_END_F = 0x0001;

/** The v4 event header: timestamp 4, type 1, server id 4, event size 4, log pos 4, flags 2. */
export const EVENT_HEADER_LENGTH = 19;
/** CRC32 trailer length when `binlog_checksum=CRC32`. */
export const CHECKSUM_LENGTH = 4;

/** MariaDB GTID event flags (sql/log_event.h, `Gtid_log_event::FL_*`). */
export const MariadbGtidFlag = {
  STANDALONE: 1,
  GROUP_COMMIT_ID: 2,
  TRANSACTIONAL: 4,
  ALLOW_PARALLEL: 8,
  WAITED: 16,
  DDL: 32,
  PREPARED_XA: 64,
  COMPLETED_XA: 128,
} as const;

/** Table map optional metadata field types (MySQL rows_event.h `Optional_metadata_field_type`). */
export const OptionalMetadata = {
  SIGNEDNESS: 1,
  DEFAULT_CHARSET: 2,
  COLUMN_CHARSET: 3,
  COLUMN_NAME: 4,
  SET_STR_VALUE: 5,
  ENUM_STR_VALUE: 6,
  GEOMETRY_TYPE: 7,
  SIMPLE_PRIMARY_KEY: 8,
  PRIMARY_KEY_WITH_PREFIX: 9,
  ENUM_AND_SET_DEFAULT_CHARSET: 10,
  ENUM_AND_SET_COLUMN_CHARSET: 11,
  COLUMN_VISIBILITY: 12,
} as const;
