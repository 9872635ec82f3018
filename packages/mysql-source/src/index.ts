// The package entry: every public function and type is exported from here.

// Connecting and the server.
export {
  connectSource,
  classifyConnectError,
  parseSourceUrl,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type SourceConnection,
  type SourceConnectionOptions,
  type SourceTlsOptions,
} from './connect';
export {
  assertSupportedServer,
  describeServer,
  detectServer,
  SUPPORTED_SERVERS,
  type ServerInfo,
  type SourceFlavour,
} from './flavour';
export { quoteIdentifier, quoteTableName } from './identifiers';

// Introspection.
export {
  describeTable,
  findTable,
  listDatabases,
  listTables,
  readTableSchema,
  SYSTEM_DATABASES,
  tableNotFound,
  type ColumnInfo,
  type DatabaseInfo,
  type KeyInfo,
  type ObjectType,
  type TableDescription,
  type TableInfo,
} from './introspect';

// Row filters.
export { parseRowFilter, validateRowFilter, type RowFilter } from './filter';
export type { FilterExpression } from './filter-expression';
export {
  checkRowFilterStreamable,
  compileRowPredicate,
  isChangeInFilter,
  STREAMABLE_FUNCTIONS,
  type FilterStreamability,
  type RowPredicate,
  type RowPredicateOptions,
} from './filter-evaluator';
export { SUPPORTED_COLLATIONS } from './filter-collation';

// Precheck primitives.
export {
  checkBinlogCompression,
  checkBinlogFormat,
  checkBinlogRetention,
  checkBinlogRowValueOptions,
  checkBinlogRowImage,
  checkConnectivity,
  checkFilters,
  checkKeyColumns,
  checkLogBin,
  checkObjectsExist,
  checkReplicationClient,
  checkReplicationSlave,
  checkSelectPrivilege,
  checkServerId,
  checkVersion,
  readBinlogSettings,
  retentionSecondsOf,
  MIN_RETENTION_SECONDS,
  type BinlogSettings,
  type ChosenObject,
  type FilteredTable,
  type PrecheckId,
  type PrecheckResult,
} from './precheck';
export {
  readEffectiveGrants,
  parseGrantLine,
  type EffectiveGrants,
  type GrantLevel,
  type ParsedGrant,
} from './precheck-grants';

// Full data migration.
export {
  readSnapshot,
  DEFAULT_CHUNK_SIZE,
  type SnapshotResumePoint,
  type SnapshotConsistency,
  type SnapshotRecord,
  type SnapshotOptions,
  type SnapshotTable,
} from './snapshot';
export { comparePositions, type WatermarkSource } from './snapshot-watermark';
export {
  binlogWatermarks,
  type BinlogWatermarkOptions,
  type BinlogWatermarks,
} from './snapshot-binlog';

// Incremental migration.
export {
  openBinlogStream,
  BinlogStream,
  type BinlogCheckpoint,
  type BinlogRecord,
  type BinlogResumePoint,
  type BinlogStartPosition,
  type BinlogStreamOptions,
  type BinlogWarning,
} from './binlog/binlog-stream';
export { readBinlogPosition, type ReadBinlogPositionOptions } from './binlog/binlog-position';
export {
  SchemaState,
  type SerializedSchemaHistory,
  type TrackedTable,
} from './binlog/schema-history';
export {
  planTables,
  readSourceTimeZone,
  type PlannedTable,
  type SelectedSourceObject,
} from './table-plan';
export { readSchemaHistory, readTrackedTable } from './schema-reader';
