import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource, type SourceConnection, type SourceConnectionOptions } from '../src/connect';
import { quoteIdentifier } from '../src/identifiers';
import {
  checkBinlogFormat,
  checkBinlogRetention,
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
} from '../src/precheck';
import { readEffectiveGrants } from '../src/precheck-grants';
import {
  createScratchDatabase,
  sourceOptions,
  uniqueName,
  type ScratchDatabase,
} from './source-fixture';

describe('precheck primitives', () => {
  let scratch: ScratchDatabase;
  const roles: string[] = [];

  async function createRole(label: string, grants: string[]): Promise<string> {
    const role = uniqueName(label);
    await scratch.exec(`CREATE ROLE ${quoteIdentifier(role)}`);
    roles.push(role);
    for (const grant of grants)
      await scratch.exec(grant.replaceAll('{role}', quoteIdentifier(role)));
    return role;
  }

  async function withSession<T>(
    options: SourceConnectionOptions,
    use: (source: SourceConnection) => Promise<T>,
  ): Promise<T> {
    const source = await connectSource(options);
    try {
      return await use(source);
    } finally {
      await source.close();
    }
  }

  beforeAll(async () => {
    scratch = await createScratchDatabase('precheck');
    await scratch.exec('CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(10))');
    await scratch.exec('CREATE TABLE secrets (id INT PRIMARY KEY)');
    await scratch.exec('CREATE TABLE keyless (a INT, b INT)');
  });
  afterAll(async () => {
    for (const role of roles) await scratch.exec(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
    await scratch.drop();
  });

  it('passes connectivity and version for the stack source, and fails a wrong password with the remedy', async () => {
    const ok = await checkConnectivity(sourceOptions());
    expect(ok.result.status).toBe('pass');
    expect(ok.source).not.toBeNull();
    if (ok.source !== null) {
      expect(checkVersion(ok.source.server).status).toBe('pass');
      await ok.source.close();
    }
    const user = await scratch.createUser('conn', []);
    const failed = await checkConnectivity({ ...user, password: 'wrong-password-17' });
    expect(failed.result).toMatchObject({
      status: 'fail',
      details: { code: 'SOURCE_AUTH_FAILED' },
    });
    expect(failed.result.remedy).toMatch(/password/);
    expect(JSON.stringify(failed.result)).not.toContain('wrong-password-17');
  });

  it('passes the binlog settings of the stack source (ROW, FULL, retention, server_id)', async () => {
    const settings = await readBinlogSettings(scratch.admin.connection);
    expect(checkLogBin(settings).status).toBe('pass');
    expect(checkBinlogFormat(settings).status).toBe('pass');
    expect(checkBinlogRowImage(settings).status).toBe('pass');
    expect(checkServerId(settings).status).toBe('pass');
    expect(checkBinlogRetention(settings, scratch.admin.server).status).not.toBe('fail');
  });

  it('fails binlog_format=STATEMENT', async () => {
    // binlog_format is global: switched for the few milliseconds of one read, then restored.
    // Sessions opened meanwhile elsewhere would inherit it, so the window is kept tiny.
    const connection = scratch.admin.connection;
    const [rows] = await connection.query('SELECT @@GLOBAL.binlog_format AS format');
    const original = String((rows as Array<{ format: string }>)[0]?.format);
    let settings;
    try {
      await connection.query("SET GLOBAL binlog_format = 'STATEMENT'");
      settings = await readBinlogSettings(connection);
    } finally {
      await connection.query('SET GLOBAL binlog_format = ?', [original]);
    }
    const result = checkBinlogFormat(settings);
    expect(result).toMatchObject({ status: 'fail', message: expect.stringMatching(/STATEMENT/) });
    expect(result.remedy).toMatch(/binlog_format=ROW/);
  });

  it('fails the replication privileges of an account that can only SELECT', async () => {
    const user = await scratch.createUser('reader', ['GRANT SELECT ON {db}.* TO {user}']);
    await withSession(user, async (source) => {
      const grants = await readEffectiveGrants(source.connection, source.server);
      expect(checkReplicationSlave(grants)).toMatchObject({
        status: 'fail',
        remedy: expect.stringMatching(/REPLICATION SLAVE ON \*\.\*/),
      });
      expect(checkReplicationClient(grants, source.server).status).toBe('fail');
      const tables = [{ database: scratch.name, table: 'orders' }];
      expect((await checkSelectPrivilege(source.connection, tables)).status).toBe('pass');
    });
  });

  it('passes replication privileges granted directly, and through a default role', async () => {
    const direct = await scratch.createUser('repl', [
      'GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {user}',
    ]);
    await withSession(direct, async (source) => {
      const grants = await readEffectiveGrants(source.connection, source.server);
      expect(checkReplicationSlave(grants).status).toBe('pass');
      expect(checkReplicationClient(grants, source.server).status).toBe('pass');
    });

    const role = await createRole('replrole', [
      'GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {role}',
    ]);
    const viaRole = await scratch.createUser('viarole', [
      `GRANT ${quoteIdentifier(role)} TO {user}`,
    ]);
    await scratch.exec(`SET DEFAULT ROLE ${quoteIdentifier(role)} FOR ?@'%'`, [viaRole.user]);
    await withSession(viaRole, async (source) => {
      const grants = await readEffectiveGrants(source.connection, source.server);
      expect(checkReplicationSlave(grants).status).toBe('pass');
      expect(checkReplicationClient(grants, source.server).status).toBe('pass');
    });
  });

  it('names the role when the privilege is only in a role that is not the default', async () => {
    const role = await createRole('idle', ['GRANT REPLICATION SLAVE ON *.* TO {role}']);
    const user = await scratch.createUser('idle', [`GRANT ${quoteIdentifier(role)} TO {user}`]);
    await withSession(user, async (source) => {
      const result = checkReplicationSlave(
        await readEffectiveGrants(source.connection, source.server),
      );
      expect(result.status).toBe('fail');
      expect(result.message).toContain(role);
      expect(result.remedy).toMatch(/SET DEFAULT ROLE/);
    });
  });

  it('fails SELECT on a table the account cannot read', async () => {
    const user = await scratch.createUser('partial', ['GRANT SELECT ON {db}.`orders` TO {user}']);
    await withSession(user, async (source) => {
      const result = await checkSelectPrivilege(source.connection, [
        { database: scratch.name, table: 'orders' },
        { database: scratch.name, table: 'secrets' },
      ]);
      expect(result).toMatchObject({
        status: 'fail',
        details: { tables: [`${scratch.name}.secrets`] },
      });
    });
  });

  it('fails objects that do not exist, case-sensitively', async () => {
    const result = await checkObjectsExist(scratch.admin.connection, [
      { database: scratch.name },
      { database: scratch.name, table: 'orders' },
      { database: scratch.name, table: 'Orders' },
      { database: 'tw_no_such_database' },
    ]);
    expect(result).toMatchObject({
      status: 'fail',
      details: { missing: [`${scratch.name}.Orders`, 'tw_no_such_database'] },
    });
  });

  it('warns about tables without a primary or unique key', async () => {
    const result = await checkKeyColumns(
      scratch.admin.connection,
      [
        { database: scratch.name, table: 'orders' },
        { database: scratch.name, table: 'keyless' },
      ],
      scratch.admin.server,
    );
    expect(result).toMatchObject({
      status: 'warning',
      details: { tables: [`${scratch.name}.keyless`] },
    });
  });

  it('fails a filter the stream cannot evaluate exactly when the task streams, naming the construct', async () => {
    const filtered = { database: scratch.name, table: 'orders', filter: "CAST(id AS CHAR) = '1'" };
    const server = { ...scratch.admin.server };
    expect((await checkFilters(scratch.admin.connection, [filtered])).status).toBe('pass');
    const streamed = await checkFilters(scratch.admin.connection, [filtered], { server });
    expect(streamed.status).toBe('fail');
    const [problem] = streamed.details?.problems as Array<{ code: string; message: string }>;
    expect(problem?.code).toBe('FILTER_NOT_STREAMABLE');
    expect(problem?.message).toMatch(/CAST/i);
    const plain = { ...filtered, filter: "status IN ('paid', 'sent') AND id > 3" };
    expect((await checkFilters(scratch.admin.connection, [plain], { server })).status).toBe('pass');
  });

  it('fails malicious and broken filters with what is wrong, and passes good ones', async () => {
    const filtered = (filter: string) => ({ database: scratch.name, table: 'orders', filter });
    expect(
      (await checkFilters(scratch.admin.connection, [filtered("status IN ('paid', 'sent')")]))
        .status,
    ).toBe('pass');
    for (const [filter, code] of [
      ['id = 1 OR SLEEP(5)', 'FILTER_NOT_ALLOWED'],
      ['1=1; DROP TABLE orders', 'FILTER_NOT_ALLOWED'],
      ['id IN (SELECT id FROM secrets)', 'FILTER_NOT_ALLOWED'],
      ['@@version > 0', 'FILTER_NOT_ALLOWED'],
      ['id = 1 /*!50000 OR 1=1 */', 'FILTER_NOT_ALLOWED'],
      ["status = 'open", 'FILTER_SYNTAX_ERROR'],
      ['amount > 3', 'FILTER_UNKNOWN_COLUMN'],
      ["status = _latin1'x' COLLATE latin1_bin", 'FILTER_SYNTAX_ERROR'],
      ["status COLLATE latin1_bin = 'x'", 'FILTER_REJECTED_BY_SOURCE'],
    ] as const) {
      const result = await checkFilters(scratch.admin.connection, [filtered(filter)]);
      expect(result.status, filter).toBe('fail');
      expect((result.details?.problems as Array<{ code: string }>)[0]?.code, filter).toBe(code);
    }
    const [rows] = await scratch.admin.connection.query(`SHOW TABLES LIKE 'orders'`);
    expect(rows).toHaveLength(1);
  });
});
