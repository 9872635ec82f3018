import type { RowDataPacket } from 'mysql2';
import type { TaskConfig } from '@tidewater/config';
import {
  describeServer,
  describeTable,
  findTable,
  listTables,
  readTableSchema,
  validateRowFilter,
  type SourceConnection,
} from '@tidewater/mysql-source';
import {
  fail,
  pass,
  warning,
  type PrecheckGroup,
  type PrecheckItem,
  type PrecheckOutcome,
} from './precheck-job';
import { openSource } from './source-session';

/**
 * Source items. One session serves them all; when it cannot be opened, the connectivity item
 * fails with the reason and every other source item fails as "not checked" with the same
 * remedy, so the report never shows a misleading pass.
 */
export function sourcePrecheckItems(config: TaskConfig): PrecheckGroup {
  let session: Promise<SourceConnection> | null = null;
  const connect = () => (session ??= openSource(config.source));
  const withSession =
    (run: (connection: SourceConnection) => Promise<PrecheckOutcome>) => async () => {
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
      return run(connection);
    };
  const variables = async (connection: SourceConnection, names: string[]) => {
    const [rows] = await connection.connection.query<Array<RowDataPacket>>(
      `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
      names,
    );
    return new Map(rows.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]));
  };
  const needsBinlog = config.stages.incremental;

  const items: PrecheckItem[] = [
    {
      key: 'source.connectivity',
      name: 'Source connectivity',
      isIgnorable: false,
      run: async () => {
        const connection = await connect();
        return pass(`Connected to ${connection.target} as ${config.source.user}.`);
      },
    },
    {
      key: 'source.version',
      name: 'Source version',
      isIgnorable: false,
      run: withSession(async (connection) => {
        const flavour = connection.server.flavour;
        const declared = config.source.type === 'polardbx2' ? 'polardbx' : config.source.type;
        const description = describeServer(connection.server);
        if (declared !== flavour) {
          return warning(
            `The task says ${config.source.type}; the server is ${description}.`,
            'Choose the database type the server really is, so the precheck applies its rules.',
          );
        }
        return pass(`${description} is supported.`);
      }),
    },
    {
      key: 'source.objects',
      name: 'Selected objects exist',
      isIgnorable: false,
      run: withSession(async (connection) => {
        const missing: string[] = [];
        for (const object of config.objects) {
          if (object.kind === 'table') {
            if (!(await findTable(connection.connection, object.database, object.table)))
              missing.push(`${object.database}.${object.table}`);
          } else {
            const [rows] = await connection.connection.query<Array<RowDataPacket>>(
              'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
              [object.database],
            );
            if (rows.length === 0) missing.push(object.database);
          }
        }
        if (missing.length === 0)
          return pass(`All ${config.objects.length} selected object(s) exist.`);
        return fail(
          `Not found on the source: ${missing.join(', ')}.`,
          'Remove them from the selection or create them on the source.',
        );
      }),
    },
    {
      key: 'source.select',
      name: 'SELECT privilege on the selected objects',
      isIgnorable: false,
      run: withSession(async (connection) => {
        const refused: string[] = [];
        for (const table of await expandTables(connection, config)) {
          try {
            await connection.connection.query(
              `SELECT 1 FROM \`${table.database.replaceAll('`', '``')}\`.\`${table.table.replaceAll('`', '``')}\` LIMIT 0`,
            );
          } catch (error) {
            const errno = (error as { errno?: number }).errno;
            if (errno === 1142 || errno === 1044) refused.push(`${table.database}.${table.table}`);
            else if (errno !== 1146) throw error;
          }
        }
        if (refused.length === 0) return pass('The account can read every selected table.');
        return fail(
          `The account ${config.source.user} cannot SELECT from ${refused.join(', ')}.`,
          `GRANT SELECT ON <database>.* TO '${config.source.user}'@'<host>'; for each database listed.`,
        );
      }),
    },
    {
      key: 'source.keys',
      name: 'Primary or unique keys',
      isIgnorable: true,
      run: withSession(async (connection) => {
        const keyless: string[] = [];
        for (const table of await expandTables(connection, config)) {
          const described = await describeTable(connection.connection, table.database, table.table);
          const usable = described.uniqueKeys.some(
            (key) => !key.hasNullableColumn && !key.hasPrefixColumn,
          );
          if (!usable) keyless.push(`${table.database}.${table.table}`);
        }
        if (keyless.length === 0) return pass('Every selected table has a primary or unique key.');
        const message = `Without a primary or unique key: ${keyless.join(', ')}.`;
        if (connection.server.flavour === 'polardbx') {
          return fail(
            `${message} PolarDB-X leaves their hidden key out of the binlog, so their changes cannot be told apart.`,
            'Add a primary key to these tables, or leave them out of the task (or ignore this item to migrate them without per-key ordering).',
          );
        }
        return warning(
          `${message} Their rows have no per-key order in Kafka and their snapshot is one slower pass.`,
          'Add a primary key where you can.',
        );
      }),
    },
    {
      key: 'source.filters',
      name: 'WHERE filters',
      isIgnorable: false,
      run: withSession(async (connection) => {
        const filtered = config.objects.filter(
          (object) => object.kind === 'table' && object.filter,
        );
        for (const object of filtered) {
          if (object.kind !== 'table' || !object.filter) continue;
          const schema = await readTableSchema(
            connection.connection,
            object.database,
            object.table,
          );
          await validateRowFilter(connection.connection, object.filter, schema);
        }
        return pass(
          filtered.length === 0
            ? 'No filters are set.'
            : `${filtered.length} filter(s) are valid predicates.`,
        );
      }),
    },
  ];

  if (needsBinlog) {
    items.push(
      {
        key: 'source.log_bin',
        name: 'Binary log enabled',
        isIgnorable: false,
        run: withSession(async (connection) => {
          const value = (await variables(connection, ['log_bin'])).get('log_bin');
          if (value === 'ON' || value === '1') return pass('The binary log is on.');
          return fail(
            'The binary log is off, so changes cannot be streamed.',
            'Start the server with log_bin (log-bin=mysql-bin) and restart it.',
          );
        }),
      },
      {
        key: 'source.binlog_format',
        name: 'binlog_format is ROW',
        isIgnorable: false,
        run: withSession(async (connection) => {
          const value = (await variables(connection, ['binlog_format'])).get('binlog_format');
          if (value === 'ROW') return pass('binlog_format is ROW.');
          return fail(
            `binlog_format is ${value ?? 'unknown'}; only ROW carries the changed rows.`,
            "SET GLOBAL binlog_format = 'ROW'; and set binlog_format=ROW in the server configuration (sessions started before keep the old format).",
          );
        }),
      },
      {
        key: 'source.binlog_row_image',
        name: 'binlog_row_image is FULL',
        isIgnorable: false,
        run: withSession(async (connection) => {
          const value = (await variables(connection, ['binlog_row_image'])).get('binlog_row_image');
          if (value === undefined || value === 'FULL') return pass('binlog_row_image is FULL.');
          return fail(
            `binlog_row_image is ${value}; updates and deletes would lack the columns they did not change.`,
            "SET GLOBAL binlog_row_image = 'FULL'; and set it in the server configuration.",
          );
        }),
      },
      {
        key: 'source.binlog_retention',
        name: 'Binary log retention',
        isIgnorable: true,
        run: withSession(async (connection) => {
          const values = await variables(connection, [
            'expire_logs_days',
            'binlog_expire_logs_seconds',
          ]);
          const seconds = Math.max(
            Number(values.get('binlog_expire_logs_seconds') ?? 0),
            Number(values.get('expire_logs_days') ?? 0) * 86_400,
          );
          if (seconds === 0) return pass('Binary logs are never purged automatically.');
          const hours = seconds / 3600;
          if (hours >= 24) return pass(`Binary logs are kept for ${Math.round(hours)} hours.`);
          return warning(
            `Binary logs are kept for only ${hours.toFixed(1)} hours: a task stopped longer than that cannot resume.`,
            'Keep binary logs for at least 24 hours (binlog_expire_logs_seconds = 86400 or more).',
          );
        }),
      },
      {
        key: 'source.server_id',
        name: 'server_id is set',
        isIgnorable: false,
        run: withSession(async (connection) => {
          const value = Number((await variables(connection, ['server_id'])).get('server_id') ?? 0);
          if (value > 0) return pass(`server_id is ${value}.`);
          return fail(
            'server_id is 0; the server cannot serve replicas.',
            'Set server_id to a unique non-zero number and restart.',
          );
        }),
      },
      {
        key: 'source.replication',
        name: 'REPLICATION SLAVE and REPLICATION CLIENT privileges',
        isIgnorable: false,
        run: withSession(async (connection) => {
          try {
            await connection.connection.query(
              connection.server.flavour === 'mariadb' ? 'SHOW BINLOG STATUS' : 'SHOW MASTER STATUS',
            );
          } catch (error) {
            const errno = (error as { errno?: number }).errno;
            if (errno === 1227 || errno === 1045) {
              return fail(
                `The account ${config.source.user} lacks REPLICATION CLIENT (BINLOG MONITOR on MariaDB).`,
                `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${config.source.user}'@'<host>';`,
              );
            }
            throw error;
          }
          return pass('The account can read the binary log position.');
        }),
      },
    );
  }
  return {
    items,
    async close() {
      if (session) await (await session.catch(() => null))?.close();
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
      if (await findTable(connection.connection, object.database, object.table))
        tables.push({ database: object.database, table: object.table });
    } else {
      for (const table of await listTables(connection.connection, object.database)) {
        if (table.type === 'table') tables.push({ database: object.database, table: table.name });
      }
    }
  }
  return tables;
}
