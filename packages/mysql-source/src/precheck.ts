/**
 * Precheck primitives: one function per item the console shows before a task starts, each
 * returning pass, warning or fail with a message for the operator and how to fix it. The engine
 * runs them as a suite and stores the results; nothing here decides whether a task may start.
 *
 * Items that only read settings take the settings (pure, unit-tested for every flavour); items
 * that must ask the server take a connection.
 */

import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { PrecheckResultStatus } from '@tidewater/config';
import { isTidewaterError } from '@tidewater/errors';
import { connectSource, type SourceConnection, type SourceConnectionOptions } from './connect';
import { validateRowFilter } from './filter';
import { checkRowFilterStreamable } from './filter-evaluator';
import { describeServer, SUPPORTED_SERVERS, type ServerInfo } from './flavour';
import { quoteTableName } from './identifiers';
import { describeTable, findTable } from './introspect';
import { hasGlobalPrivilege, type EffectiveGrants } from './precheck-grants';
import { chooseSnapshotKey } from './snapshot-sql';

export type PrecheckId =
  | 'connectivity'
  | 'version'
  | 'objects_exist'
  | 'select_privilege'
  | 'replication_slave'
  | 'replication_client'
  | 'log_bin'
  | 'binlog_format'
  | 'binlog_row_image'
  | 'binlog_retention'
  | 'binlog_compression'
  | 'binlog_row_value_options'
  | 'server_id'
  | 'key_columns'
  | 'filters';

export interface PrecheckResult {
  id: PrecheckId;
  status: PrecheckResultStatus;
  message: string;
  /** How to fix it; null when the item passed. */
  remedy: string | null;
  /** Non-secret specifics (tables, variable values) for the console's detail view. */
  details?: Record<string, unknown>;
}

/** A chosen object: a whole database, or one table or view of it. */
export interface ChosenObject {
  database: string;
  table?: string;
}

/** A table with its WHERE filter, as the task configures it. */
export interface FilteredTable {
  database: string;
  table: string;
  filter: string;
}

const pass = (
  id: PrecheckId,
  message: string,
  details?: Record<string, unknown>,
): PrecheckResult => ({
  id,
  status: 'pass',
  message,
  remedy: null,
  ...(details === undefined ? {} : { details }),
});

// ---------------------------------------------------------------------------------------------
// Connectivity and version

/**
 * Connects as the task will. On success the session is returned for the other items (the
 * caller closes it); on failure the item carries the classified error's message and remedy.
 */
export async function checkConnectivity(
  options: SourceConnectionOptions,
): Promise<{ result: PrecheckResult; source: SourceConnection | null }> {
  try {
    const source = await connectSource(options, { acceptUnsupported: true });
    return {
      result: pass(
        'connectivity',
        `Connected to ${describeServer(source.server)} at ${source.target}.`,
      ),
      source,
    };
  } catch (error) {
    if (!isTidewaterError(error)) throw error;
    return {
      result: {
        id: 'connectivity',
        status: 'fail',
        message: error.message,
        remedy: error.remedy,
        details: { code: error.code },
      },
      source: null,
    };
  }
}

export function checkVersion(server: ServerInfo): PrecheckResult {
  if (server.unsupportedReason === null) {
    return pass('version', `${describeServer(server)} is supported.`, {
      versionString: server.versionString,
    });
  }
  return {
    id: 'version',
    status: 'fail',
    message: server.unsupportedReason,
    remedy: `Use ${SUPPORTED_SERVERS}.`,
    details: { versionString: server.versionString },
  };
}

// ---------------------------------------------------------------------------------------------
// Binlog settings

export interface BinlogSettings {
  /** Null when the server has no such variable (PolarDB-X hides some). */
  logBin: boolean | null;
  binlogFormat: string | null;
  binlogRowImage: string | null;
  expireLogsDays: number | null;
  binlogExpireLogsSeconds: number | null;
  serverId: number | null;
  /** MySQL 8.0.20+ `binlog_transaction_compression` (zstd transaction payloads). */
  binlogTransactionCompression: boolean | null;
  /** MySQL 8.0.3+ `binlog_row_value_options`: '' or 'PARTIAL_JSON'. */
  binlogRowValueOptions: string | null;
  /** MariaDB 10.2.3+ `log_bin_compress` (zlib-compressed query and rows events). */
  logBinCompress: boolean | null;
}

const BINLOG_VARIABLES = [
  'log_bin',
  'binlog_format',
  'binlog_row_image',
  'expire_logs_days',
  'binlog_expire_logs_seconds',
  'server_id',
  'binlog_transaction_compression',
  'binlog_row_value_options',
  'log_bin_compress',
];

/** The global binlog settings (what a new session and the binlog itself follow). */
export async function readBinlogSettings(connection: Connection): Promise<BinlogSettings> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${BINLOG_VARIABLES.map(() => '?').join(', ')})`,
    BINLOG_VARIABLES,
  );
  const values = new Map(
    rows.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]),
  );
  const number = (name: string): number | null => {
    const value = values.get(name);
    return value === undefined || value === '' || !Number.isFinite(Number(value))
      ? null
      : Number(value);
  };
  const flag = (name: string): boolean | null => {
    const value = values.get(name);
    return value === undefined ? null : value.toUpperCase() === 'ON' || value === '1';
  };
  return {
    logBin: flag('log_bin'),
    binlogFormat: values.get('binlog_format')?.toUpperCase() ?? null,
    binlogRowImage: values.get('binlog_row_image')?.toUpperCase() ?? null,
    expireLogsDays: number('expire_logs_days'),
    binlogExpireLogsSeconds: number('binlog_expire_logs_seconds'),
    serverId: number('server_id'),
    binlogTransactionCompression: flag('binlog_transaction_compression'),
    binlogRowValueOptions: values.get('binlog_row_value_options')?.toUpperCase() ?? null,
    logBinCompress: flag('log_bin_compress'),
  };
}

const RESTART_NOTE =
  'set it in the server configuration (my.cnf) and restart, or in the console of a managed instance';

export function checkLogBin(settings: BinlogSettings): PrecheckResult {
  if (settings.logBin === true) return pass('log_bin', 'The binary log is on.');
  return {
    id: 'log_bin',
    status: settings.logBin === null ? 'warning' : 'fail',
    message:
      settings.logBin === null
        ? 'Whether the binary log is on could not be read (no log_bin variable).'
        : 'The binary log is off (log_bin=OFF): incremental migration has nothing to read.',
    remedy: `Turn the binary log on (log_bin, with a server_id): ${RESTART_NOTE}.`,
  };
}

export function checkBinlogFormat(settings: BinlogSettings): PrecheckResult {
  if (settings.binlogFormat === 'ROW') return pass('binlog_format', 'binlog_format is ROW.');
  return {
    id: 'binlog_format',
    status: settings.binlogFormat === null ? 'warning' : 'fail',
    message:
      settings.binlogFormat === null
        ? 'binlog_format could not be read.'
        : `binlog_format is ${settings.binlogFormat}; row changes can only be read from ROW format.`,
    remedy: `Set binlog_format=ROW (SET GLOBAL binlog_format = 'ROW' takes effect for new sessions; also ${RESTART_NOTE} so it survives a restart).`,
    details: { binlogFormat: settings.binlogFormat },
  };
}

export function checkBinlogRowImage(settings: BinlogSettings): PrecheckResult {
  if (settings.binlogRowImage === 'FULL')
    return pass('binlog_row_image', 'binlog_row_image is FULL.');
  return {
    id: 'binlog_row_image',
    status: settings.binlogRowImage === null ? 'warning' : 'fail',
    message:
      settings.binlogRowImage === null
        ? 'binlog_row_image could not be read; full row images are required.'
        : `binlog_row_image is ${settings.binlogRowImage}; changes would arrive without the columns that did not change.`,
    remedy: `Set binlog_row_image=FULL (SET GLOBAL binlog_row_image = 'FULL'; also ${RESTART_NOTE}).`,
    details: { binlogRowImage: settings.binlogRowImage },
  };
}

/** Binlogs kept for less than this are a warning: a stopped task could not resume. */
export const MIN_RETENTION_SECONDS = 24 * 3600;

/**
 * How long binlogs are kept. MySQL 8 uses binlog_expire_logs_seconds when it is set (non-zero)
 * and expire_logs_days otherwise; MariaDB 10.6+ keeps the two in step; MySQL 5.7 and older
 * MariaDB have only expire_logs_days. Zero everywhere means never purged automatically.
 */
export function retentionSecondsOf(settings: BinlogSettings): number | null {
  const seconds = settings.binlogExpireLogsSeconds;
  const days = settings.expireLogsDays;
  if (seconds !== null && seconds > 0) return seconds;
  if (days !== null && days > 0) return days * 86_400;
  if (seconds === null && days === null) return null;
  return 0;
}

export function checkBinlogRetention(settings: BinlogSettings, server: ServerInfo): PrecheckResult {
  const retention = retentionSecondsOf(settings);
  const remedy =
    server.flavour === 'polardbx'
      ? 'Set the binlog retention of the PolarDB-X instance to at least 24 hours (console: Parameter settings / binlog retention).'
      : 'Keep binlogs for at least 24 hours: SET GLOBAL binlog_expire_logs_seconds = 86400 (MySQL 8, MariaDB 10.6+) or expire_logs_days = 1, and put it in the configuration.';
  if (retention === null) {
    return {
      id: 'binlog_retention',
      status: 'warning',
      message: 'How long the source keeps binlogs could not be read.',
      remedy,
    };
  }
  if (retention === 0) {
    return pass('binlog_retention', 'Binlogs are never purged automatically (watch the disk).', {
      retentionSeconds: 0,
    });
  }
  const hours = Math.round((retention / 3600) * 10) / 10;
  if (retention < MIN_RETENTION_SECONDS) {
    return {
      id: 'binlog_retention',
      status: 'warning',
      message: `Binlogs are kept for ${hours} h, less than 24 h: a task stopped longer than that cannot resume its incremental migration.`,
      remedy,
      details: { retentionSeconds: retention },
    };
  }
  return pass('binlog_retention', `Binlogs are kept for ${hours} h.`, {
    retentionSeconds: retention,
  });
}

/**
 * Compressed binlogs: MariaDB's log_bin_compress (zlib) and MySQL's
 * binlog_transaction_compression (zstd, from node:zlib) are both readable; the item says which
 * one the source uses.
 */
export function checkBinlogCompression(
  settings: BinlogSettings,
  server: ServerInfo,
): PrecheckResult {
  if (server.flavour === 'mariadb' || settings.logBinCompress !== null) {
    return pass(
      'binlog_compression',
      settings.logBinCompress === true
        ? 'log_bin_compress is ON: compressed query and rows events are decompressed (zlib).'
        : 'The binary log is not compressed (log_bin_compress is OFF).',
      { logBinCompress: settings.logBinCompress },
    );
  }
  const details = { binlogTransactionCompression: settings.binlogTransactionCompression };
  return pass(
    'binlog_compression',
    settings.binlogTransactionCompression === true
      ? 'binlog_transaction_compression is ON: zstd transaction payloads are decompressed.'
      : settings.binlogTransactionCompression === false
        ? 'binlog_transaction_compression is OFF.'
        : 'The server does not compress its binary log (no binlog_transaction_compression).',
    details,
  );
}

/** The binlog_row_value_options Tidewater reads: none, or PARTIAL_JSON (JSON diffs it applies). */
const READABLE_ROW_VALUE_OPTIONS = new Set(['', 'PARTIAL_JSON']);

/**
 * MySQL 8's binlog_row_value_options: PARTIAL_JSON logs updates of JSON columns as diffs, which
 * are applied to the before image (binlog_row_image=FULL, its own item, keeps that whole).
 */
export function checkBinlogRowValueOptions(settings: BinlogSettings): PrecheckResult {
  const value = settings.binlogRowValueOptions;
  if (value === null) {
    return pass(
      'binlog_row_value_options',
      'The server logs whole row values (no binlog_row_value_options).',
    );
  }
  if (READABLE_ROW_VALUE_OPTIONS.has(value)) {
    return pass(
      'binlog_row_value_options',
      value === ''
        ? 'binlog_row_value_options is empty: updates are logged as whole rows.'
        : 'binlog_row_value_options is PARTIAL_JSON: JSON diffs are applied to the before image.',
      { binlogRowValueOptions: value },
    );
  }
  return {
    id: 'binlog_row_value_options',
    status: 'fail',
    message: `binlog_row_value_options is ${value}, which Tidewater cannot read.`,
    remedy: `Set binlog_row_value_options to '' or PARTIAL_JSON (SET GLOBAL binlog_row_value_options = ''; also ${RESTART_NOTE}).`,
    details: { binlogRowValueOptions: value },
  };
}

export function checkServerId(settings: BinlogSettings): PrecheckResult {
  if (settings.serverId !== null && settings.serverId > 0) {
    return pass('server_id', `server_id is ${settings.serverId}.`);
  }
  return {
    id: 'server_id',
    status: settings.serverId === null ? 'warning' : 'fail',
    message:
      settings.serverId === null
        ? 'server_id could not be read.'
        : 'server_id is 0: the server does not write a usable binary log for replicas.',
    remedy: `Give the server a non-zero server_id: ${RESTART_NOTE}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Privileges

/** REPLICATION SLAVE: needed to read the binlog as a replica does. */
export function checkReplicationSlave(grants: EffectiveGrants): PrecheckResult {
  return checkGlobal(
    grants,
    'replication_slave',
    'REPLICATION SLAVE',
    ['REPLICATION SLAVE'],
    'REPLICATION SLAVE',
  );
}

/**
 * REPLICATION CLIENT: needed for SHOW MASTER STATUS (the positions the snapshot and the stream
 * start from). MariaDB 10.5.2+ calls it BINLOG MONITOR; SUPER implied it on MySQL and on
 * MariaDB before 11.0.1.
 */
export function checkReplicationClient(
  grants: EffectiveGrants,
  server: ServerInfo,
): PrecheckResult {
  const isMariaDb = server.flavour === 'mariadb';
  const superImplies = !(
    isMariaDb &&
    (server.major > 11 || (server.major === 11 && (server.minor > 0 || server.patch >= 1)))
  );
  const accepted = ['REPLICATION CLIENT', 'BINLOG MONITOR', ...(superImplies ? ['SUPER'] : [])];
  const name =
    isMariaDb && (server.major > 10 || (server.major === 10 && server.minor >= 5))
      ? 'BINLOG MONITOR (REPLICATION CLIENT)'
      : 'REPLICATION CLIENT';
  return checkGlobal(
    grants,
    'replication_client',
    name,
    accepted,
    isMariaDb ? 'BINLOG MONITOR' : 'REPLICATION CLIENT',
  );
}

function checkGlobal(
  grants: EffectiveGrants,
  id: PrecheckId,
  label: string,
  accepted: string[],
  grantName: string,
): PrecheckResult {
  if (hasGlobalPrivilege(grants.grants, accepted)) return pass(id, `The account has ${label}.`);
  const viaInactive = grants.inactiveRoles.find((role) =>
    hasGlobalPrivilege(role.grants, accepted),
  );
  if (viaInactive !== undefined) {
    return {
      id,
      status: 'fail',
      message: `The account has ${label} only through role ${viaInactive.role}, which is not active when it logs in.`,
      remedy: `Make the role a default role: SET DEFAULT ROLE ${viaInactive.role} FOR <user> (MariaDB) or SET DEFAULT ROLE ${viaInactive.role} TO <user> (MySQL 8), or grant ${grantName} ON *.* to the account itself.`,
      details: { role: viaInactive.role },
    };
  }
  return {
    id,
    status: 'fail',
    message: `The account lacks ${label} on *.*.`,
    remedy: `GRANT ${grantName} ON *.* TO <user>; it is a global privilege, so a database-level grant is not enough.`,
    details: { grants: grants.lines.filter((line) => !/IDENTIFIED BY/i.test(line)) },
  };
}

/**
 * SELECT on every chosen table, asked of the server itself (`SELECT * … LIMIT 0` reads no row),
 * which covers roles, wildcards, column grants and partial revokes exactly.
 */
export async function checkSelectPrivilege(
  connection: Connection,
  tables: ReadonlyArray<{ database: string; table: string }>,
): Promise<PrecheckResult> {
  const denied: string[] = [];
  for (const { database, table } of tables) {
    try {
      await connection.query(`SELECT * FROM ${quoteTableName(database, table)} LIMIT 0`);
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      // 1142 table, 1143 column, 1044 database access denied; a missing table is objects_exist's.
      if (errno === 1142 || errno === 1143 || errno === 1044) denied.push(`${database}.${table}`);
      else if (errno !== 1146 && errno !== 1049) throw error;
    }
  }
  if (denied.length === 0)
    return pass('select_privilege', `The account can read all ${tables.length} chosen tables.`);
  return {
    id: 'select_privilege',
    status: 'fail',
    message: `The account cannot read ${denied.length} chosen table(s): ${preview(denied)}.`,
    remedy: 'GRANT SELECT ON <database>.* (or on each table) TO <user>.',
    details: { tables: denied },
  };
}

// ---------------------------------------------------------------------------------------------
// Objects, keys, filters

export async function checkObjectsExist(
  connection: Connection,
  objects: readonly ChosenObject[],
): Promise<PrecheckResult> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA',
  );
  const databases = new Set(rows.map((row) => String(row.name)));
  const missing: string[] = [];
  for (const object of objects) {
    if (!databases.has(object.database)) {
      missing.push(
        object.table === undefined ? object.database : `${object.database}.${object.table}`,
      );
    } else if (
      object.table !== undefined &&
      (await findTable(connection, object.database, object.table)) === null
    ) {
      missing.push(`${object.database}.${object.table}`);
    }
  }
  if (missing.length === 0)
    return pass('objects_exist', `All ${objects.length} chosen objects exist.`);
  return {
    id: 'objects_exist',
    status: 'fail',
    message: `${missing.length} chosen object(s) do not exist on the source: ${preview(missing)}.`,
    remedy:
      'Refresh the object list and choose again (names are case-sensitive), or create the objects on the source.',
    details: { missing },
  };
}

/**
 * Tables without a primary key or a NOT NULL unique key: no per-key ordering downstream, a
 * snapshot read in one pass, changes that cannot be matched by key. A warning, except on
 * PolarDB-X, whose hidden `_drds_implicit_id_` key is left out of row images, so such tables
 * arrive with no key at all (DTS refuses them as well).
 */
export async function checkKeyColumns(
  connection: Connection,
  tables: ReadonlyArray<{ database: string; table: string }>,
  server: ServerInfo,
): Promise<PrecheckResult> {
  const keyless: string[] = [];
  for (const { database, table } of tables) {
    const description = await describeTable(connection, database, table);
    if (description.table.type === 'view') continue;
    if (chooseSnapshotKey(description.schema, description.uniqueKeys) === null)
      keyless.push(`${database}.${table}`);
  }
  if (keyless.length === 0)
    return pass('key_columns', 'Every chosen table has a primary key or a NOT NULL unique key.');
  const isPolarDbX = server.flavour === 'polardbx';
  return {
    id: 'key_columns',
    status: isPolarDbX ? 'fail' : 'warning',
    message: isPolarDbX
      ? `${keyless.length} table(s) have no primary key or unique key: ${preview(keyless)}. PolarDB-X leaves its hidden key out of the binlog, so their changes cannot be told apart.`
      : `${keyless.length} table(s) have no primary key or NOT NULL unique key: ${preview(keyless)}. They are read in one pass, changes to them cannot be ordered per key, and identical rows cannot be told apart.`,
    remedy:
      'Add a primary key (ALTER TABLE … ADD PRIMARY KEY (…)) or a unique key on NOT NULL columns, or leave these tables out.',
    details: { tables: keyless },
  };
}

/** Every filter parsed against its table and resolved by the server; all problems listed. */
/**
 * Every filter is a valid condition the source accepts; with `streamOn` (the task has
 * incremental migration), also one the stream can evaluate exactly
 * (`checkRowFilterStreamable`), since the filter applies to every change.
 */
export async function checkFilters(
  connection: Connection,
  tables: readonly FilteredTable[],
  streamOn: { server: ServerInfo } | null = null,
): Promise<PrecheckResult> {
  const problems: Array<{ table: string; code: string; message: string; remedy: string }> = [];
  for (const { database, table, filter } of tables) {
    try {
      const description = await describeTable(connection, database, table);
      const checked = await validateRowFilter(connection, filter, description.schema);
      if (streamOn !== null) {
        const streamable = checkRowFilterStreamable(checked, description.schema, streamOn);
        if (!streamable.isStreamable) throw streamable.error;
      }
    } catch (error) {
      if (!isTidewaterError(error)) throw error;
      problems.push({
        table: `${database}.${table}`,
        code: error.code,
        message: error.message,
        remedy: error.remedy,
      });
    }
  }
  if (problems.length === 0) {
    return pass(
      'filters',
      tables.length === 0
        ? 'No filters are set.'
        : `All ${tables.length} filters are valid conditions${streamOn === null ? '' : ' the stream can evaluate'}.`,
    );
  }
  const first = problems[0] as (typeof problems)[number];
  return {
    id: 'filters',
    status: 'fail',
    message:
      problems.length === 1
        ? first.message
        : `${problems.length} filters are not valid; the first: ${first.message}`,
    remedy: first.remedy,
    details: { problems },
  };
}

function preview(names: readonly string[]): string {
  return names.length <= 5
    ? names.join(', ')
    : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}
