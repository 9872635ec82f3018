import type { TaskConfig } from '@tidewater/config';
import {
  checkBinlogCompression,
  checkBinlogFormat,
  checkBinlogRetention,
  checkBinlogRowImage,
  checkBinlogRowValueOptions,
  checkFilters,
  checkKeyColumns,
  checkLogBin,
  checkObjectsExist,
  checkReplicationClient,
  checkReplicationSlave,
  checkSelectPrivilege,
  checkServerId,
  checkVersion,
  listTables,
  findTable,
  readBinlogPosition,
  readBinlogSettings,
  readEffectiveGrants,
  type BinlogSettings,
  type EffectiveGrants,
  type PrecheckResult,
  type SourceConnection,
} from '@tidewater/mysql-source';
import { isTidewaterError, TidewaterError } from '@tidewater/errors';
import {
  fail,
  pass,
  warning,
  type PrecheckGroup,
  type PrecheckItemCheck,
  type PrecheckOutcome,
} from './precheck-item';
import { openSource } from './source-session';

/**
 * Source items, built on mysql-source's precheck primitives. One session serves them all;
 * when it cannot be opened, the connectivity item fails with the reason and every other source
 * item fails as "not checked", so the report never shows a pass it did not verify.
 */
export function sourcePrecheckItems(config: TaskConfig): PrecheckGroup {
  let session: Promise<SourceConnection> | null = null;
  /** The session once it opened; null while it is opening (or after it was abandoned). */
  let opened: SourceConnection | null = null;
  let grants: Promise<EffectiveGrants> | null = null;
  let settings: Promise<BinlogSettings> | null = null;
  let tables: Promise<Array<{ database: string; table: string }>> | null = null;
  const connect = () => {
    if (session) return session;
    const opening = openSource(config.source).then((connection) => {
      if (session === opening) opened = connection;
      else connection.connection.destroy();
      return connection;
    });
    session = opening;
    return opening;
  };
  const item = (
    key: string,
    name: string,
    isIgnorable: boolean,
    run: (connection: SourceConnection) => Promise<PrecheckResult | PrecheckOutcome>,
  ): PrecheckItemCheck => ({
    key,
    name,
    isIgnorable,
    run: async () => {
      let connection: SourceConnection;
      try {
        connection = await connect();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return fail(
          `Not checked: the source cannot be reached (${reason}).`,
          'Fix the source connectivity item first.',
        );
      }
      const result = await run(connection);
      return { status: result.status, message: result.message, remedy: result.remedy ?? '' };
    },
  });
  const readGrants = (connection: SourceConnection) =>
    (grants ??= readEffectiveGrants(connection.connection, connection.server));
  const readSettings = (connection: SourceConnection) =>
    (settings ??= readBinlogSettings(connection.connection));
  const readTables = (connection: SourceConnection) =>
    (tables ??= expandTables(connection, config));

  const items: PrecheckItemCheck[] = [
    {
      key: 'source.connectivity',
      name: 'Source connectivity',
      isIgnorable: false,
      run: async () => {
        const connection = await connect();
        return pass(`Connected to ${connection.target} as ${config.source.user}.`);
      },
    },
    item('source.version', 'Source version', false, async (connection) => {
      const result = checkVersion(connection.server);
      const declared = config.source.type === 'polardbx2' ? 'polardbx' : config.source.type;
      if (result.status === 'pass' && declared !== connection.server.flavour) {
        return warning(
          `The task says ${config.source.type}; the server is ${connection.server.flavour} ${connection.server.version}.`,
          'Choose the database type the server really is, so the precheck applies its rules.',
        );
      }
      return result;
    }),
    item('source.objects', 'Selected objects exist', false, (connection) =>
      checkObjectsExist(
        connection.connection,
        config.objects.map((object) =>
          object.kind === 'table'
            ? { database: object.database, table: object.table }
            : { database: object.database },
        ),
      ),
    ),
    item('source.select', 'SELECT privilege on the selected objects', false, async (connection) =>
      checkSelectPrivilege(connection.connection, await readTables(connection)),
    ),
    item('source.keys', 'Primary or unique keys', true, async (connection) =>
      checkKeyColumns(connection.connection, await readTables(connection), connection.server),
    ),
    item('source.filters', 'WHERE filters', false, (connection) =>
      checkFilters(
        connection.connection,
        config.objects.flatMap((object) =>
          object.kind === 'table' && object.filter
            ? [{ database: object.database, table: object.table, filter: object.filter }]
            : [],
        ),
        // The filter applies to every change too: it must be one the stream evaluates exactly.
        config.stages.incremental ? { server: connection.server } : null,
      ),
    ),
  ];
  if (config.stages.incremental || config.stages.full) {
    // The snapshot's watermarks read binlog positions too, so these apply to full migration.
    items.push(
      item('source.replication_client', 'REPLICATION CLIENT privilege', false, async (connection) =>
        checkReplicationClient(await readGrants(connection), connection.server),
      ),
      item('source.replication_slave', 'REPLICATION SLAVE privilege', false, async (connection) =>
        checkReplicationSlave(await readGrants(connection)),
      ),
      item('source.log_bin', 'Binary log enabled', false, async (connection) =>
        checkLogBin(await readSettings(connection)),
      ),
      item('source.binlog_format', 'binlog_format is ROW', false, async (connection) =>
        checkBinlogFormat(await readSettings(connection)),
      ),
      item('source.binlog_row_image', 'binlog_row_image is FULL', false, async (connection) =>
        checkBinlogRowImage(await readSettings(connection)),
      ),
      item('source.binlog_retention', 'Binary log retention', true, async (connection) =>
        checkBinlogRetention(await readSettings(connection), connection.server),
      ),
      // Binlog features the stream must decode (compressed events, partial JSON updates): a
      // setting Tidewater cannot read here fails now rather than the running task.
      item('source.binlog_compression', 'Binary log compression is readable', false, async (c) =>
        checkBinlogCompression(await readSettings(c), c.server),
      ),
      item(
        'source.binlog_row_value_options',
        'binlog_row_value_options is readable',
        false,
        async (connection) => checkBinlogRowValueOptions(await readSettings(connection)),
      ),
      item('source.server_id', 'server_id is set', false, async (connection) =>
        checkServerId(await readSettings(connection)),
      ),
    );
    const stream = config.source.binlogStream;
    if (stream) {
      items.push(
        item('source.binlog_stream', 'Binlog stream', false, (connection) =>
          checkBinlogStream(connection, stream),
        ),
      );
    }
  }
  return {
    items,
    noAnswerRemedy:
      'Check that the source answers from the worker, and that no session holds a lock on the selected tables (SHOW PROCESSLIST: a LOCK TABLES, a long ALTER TABLE or transaction), then run the precheck again.',
    abandon() {
      const stuck = session;
      const wasOpen = opened !== null;
      // A session stuck on a statement cannot be ended politely (COM_QUIT queues behind it).
      opened?.connection.destroy();
      opened = null;
      grants = settings = tables = null;
      session = null;
      if (stuck && !wasOpen) {
        // It never finished opening: the items after it say so instead of waiting again.
        session = Promise.reject(
          new TidewaterError('SOURCE_TIMEOUT', 'the source did not finish the connection', {
            category: 'unavailable',
            remedy: 'Check that the source answers from the worker.',
          }),
        );
        // Read by the items that follow; this handler only keeps it from counting as unhandled.
        session.catch(() => undefined);
      }
    },
    async close() {
      if (!session) return;
      const connection = await session.catch(() => null);
      await connection?.close();
    },
  };
}

/** Every table the task reads: tables named one by one and the tables of whole databases. */
async function expandTables(
  connection: SourceConnection,
  config: TaskConfig,
): Promise<Array<{ database: string; table: string }>> {
  const tables: Array<{ database: string; table: string }> = [];
  for (const object of config.objects) {
    if (object.kind === 'table') {
      if (await findTable(connection.connection, object.database, object.table)) {
        tables.push({ database: object.database, table: object.table });
      }
    } else {
      for (const table of await listTables(connection.connection, object.database)) {
        if (table.type === 'table') tables.push({ database: object.database, table: table.name });
      }
    }
  }
  return tables;
}

/**
 * PolarDB-X 2.0 multi-stream binlog: the task's stream answers `SHOW MASTER STATUS WITH`
 * (a stream the instance does not have is the server's error). A server without streams is
 * refused by `readBinlogPosition` (BINLOG_STREAM_UNSUPPORTED).
 */
async function checkBinlogStream(
  connection: SourceConnection,
  stream: string,
): Promise<PrecheckOutcome> {
  try {
    const position = await readBinlogPosition(connection.connection, { stream });
    return pass(`The binlog stream "${stream}" is at ${position.file}:${position.pos}.`);
  } catch (error) {
    if (isTidewaterError(error)) return fail(error.message, error.remedy);
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      `The binlog stream "${stream}" cannot be read: ${reason}`,
      'Choose a stream that SHOW BINARY STREAMS lists on the instance, or leave the stream empty for the global binlog.',
    );
  }
}
