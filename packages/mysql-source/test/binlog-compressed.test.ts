import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../src/identifiers';
import { checkBinlogCompression, readBinlogSettings } from '../src/precheck';
import {
  isCommitCount,
  openTestStream,
  selectCanonical,
  show,
  startPosition,
} from './binlog-fixture';
import { startPrivateSource, type PrivateSource } from './private-source';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

// MariaDB's log_bin_compress writes QUERY_COMPRESSED and the compressed rows events (zlib) for
// events longer than log_bin_compress_min_len. Both are global settings, so this file sets them
// on a MariaDB of its own (private-source.ts), never on the shared one.
describe('binlog stream with MariaDB log_bin_compress=ON', () => {
  let source: PrivateSource;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    source = await startPrivateSource('binlog-compress');
    await source.exec('SET GLOBAL log_bin_compress = ON');
    // The smallest threshold, so rows and DDL of any size are compressed.
    await source.exec('SET GLOBAL log_bin_compress_min_len = 10');
    scratch = await createScratchDatabase('binlog_compress', source.options);
  });
  afterAll(async () => {
    await scratch?.drop();
    await source?.dispose();
  });

  it('passes the compression precheck item, reading log_bin_compress from the server', async () => {
    const settings = await readBinlogSettings(scratch.admin.connection);
    expect(settings.logBinCompress).toBe(true);
    expect(checkBinlogCompression(settings, scratch.admin.server)).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('log_bin_compress is ON'),
    });
  });

  it('reads compressed DDL, inserts, updates and deletes as SELECT shows the rows', async () => {
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name], source: scratch.source });
    try {
      const t = quoteIdentifier('notes');
      await scratch.exec(
        `CREATE TABLE ${t} (id INT PRIMARY KEY, body TEXT, tag VARCHAR(40) CHARACTER SET latin1, amount DECIMAL(12,3))`,
      );
      const long = 'compressible text '.repeat(40);
      await scratch.exec(
        `INSERT INTO ${t} VALUES (1, ?, 'première', 12.5), (2, NULL, 'x', -0.001)`,
        [long],
      );
      await scratch.exec(`UPDATE ${t} SET body = CONCAT(body, 'ü'), amount = 99 WHERE id = 1`);
      await scratch.exec(`DELETE FROM ${t} WHERE id = 2`);
      await scratch.exec(`ALTER TABLE ${t} ADD COLUMN extra INT DEFAULT 7`);
      await scratch.exec(`INSERT INTO ${t} (id, body, tag, amount) VALUES (3, 'three', 'y', 3)`);

      const events = await test.readUntil(isCommitCount(4));
      expect(events.map((e) => e.kind)).toEqual([
        'ddl',
        'begin',
        'insert',
        'commit',
        'begin',
        'update',
        'commit',
        'begin',
        'delete',
        'commit',
        'ddl',
        'begin',
        'insert',
        'commit',
      ]);
      const rows = await selectCanonical(scratch.admin.connection, scratch.name, 'notes', 'id');
      const update = events.find((e) => e.kind === 'update');
      expect(update?.kind === 'update' && update.rows[0]!.after.map(show)).toEqual(
        rows[0]!.slice(0, 4).map(show),
      );
      const inserts = events.filter((e) => e.kind === 'insert');
      expect(inserts.at(-1)?.kind === 'insert' && inserts.at(-1)!.rows[0]!.map(show)).toEqual(
        rows[1]!.map(show),
      );
      expect(inserts[0]?.kind === 'insert' && inserts[0].rows.map((r) => r.map(show))).toEqual([
        ['1', long, 'première', '12.500'],
        ['2', null, 'x', '-0.001'],
      ]);
      expect(
        events.filter((e) => e.kind === 'ddl').map((e) => e.kind === 'ddl' && e.ddlKind),
      ).toEqual(['CREATE', 'ALTER']);
      expect(test.warnings).toEqual([]);

      // The server did write compressed events: the test cannot pass on plain ones.
      const [binlogEvents] = await scratch.admin.connection.query<RowDataPacket[]>(
        `SHOW BINLOG EVENTS IN '${start.file}' FROM ${start.pos}`,
      );
      const types = new Set(binlogEvents.map((row) => String(row.Event_type)));
      expect([...types].filter((type) => /compressed/i.test(type)).sort()).toEqual([
        'Delete_rows_compressed_v1',
        'Query_compressed',
        'Update_rows_compressed_v1',
        'Write_rows_compressed_v1',
      ]);
    } finally {
      test.close();
    }
  });
});
