import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../src/identifiers';
import {
  isCommitCount,
  openTestStream,
  selectCanonical,
  show,
  startPosition,
} from './binlog-fixture';
import { checkTypeMatrix } from './binlog-type-matrix';
import { startPrivateSource, type PrivateSource } from './private-source';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

// binlog_row_metadata=MINIMAL writes no column names, ENUM/SET labels or keys into the binlog,
// like MySQL 5.7 and PolarDB-X: rows decode only through the schema history. The variable is
// global only, so this file sets it on a MariaDB of its own (private-source.ts) rather than on
// the shared one other test files read at the same time.
describe('binlog stream with binlog_row_metadata=MINIMAL', () => {
  let source: PrivateSource;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    source = await startPrivateSource('binlog-minimal');
    await source.exec('SET GLOBAL binlog_row_metadata = MINIMAL');
    scratch = await createScratchDatabase('binlog_minimal', source.options);
  });
  afterAll(async () => {
    await scratch?.drop();
    await source?.dispose();
  });

  it('decodes every type family to the value SELECT returns from the schema history alone', async () => {
    await checkTypeMatrix(scratch);
  });

  it('follows added, dropped, renamed and retyped columns between rows', async () => {
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, {
      databases: [scratch.name],
      source: scratch.source,
    });
    try {
      const t = quoteIdentifier('evolving');
      await scratch.exec(
        `CREATE TABLE ${t} (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b INT)`,
      );
      await scratch.exec(`INSERT INTO ${t} VALUES (1, 'é', -1)`);
      await scratch.exec(
        `ALTER TABLE ${t} ADD COLUMN c BIGINT UNSIGNED FIRST, ADD COLUMN d ENUM('x','y') AFTER a`,
      );
      await scratch.exec(
        `INSERT INTO ${t} (id, a, b, c, d) VALUES (2, 'ü', -2, 18446744073709551615, 'y')`,
      );
      await scratch.exec(
        `ALTER TABLE ${t} DROP COLUMN b, CHANGE a a2 VARCHAR(10) CHARACTER SET gbk, MODIFY d SET('x','y','z')`,
      );
      await scratch.exec(`INSERT INTO ${t} (id, a2, c, d) VALUES (3, '你好', 0, 'x,z')`);
      await scratch.exec(
        `ALTER TABLE ${t} RENAME COLUMN a2 TO a3, RENAME TO ${quoteIdentifier('evolved')}`,
      );
      await scratch.exec(
        `INSERT INTO ${quoteIdentifier('evolved')} (id, a3, c, d) VALUES (4, '界', 1, 'y')`,
      );
      const events = await test.readUntil(isCommitCount(4));
      const inserts = events.filter((e) => e.kind === 'insert');
      expect(
        inserts.map((e) => (e.kind === 'insert' ? e.rows.map((r) => r.map(show)) : [])),
      ).toEqual([
        [['1', 'é', '-1']],
        [['18446744073709551615', '2', 'ü', 'y', '-2']],
        [['0', '3', '你好', 'x,z']],
        [['1', '4', '界', 'y']],
      ]);
      expect(
        inserts.at(-1)!.kind === 'insert' && inserts.at(-1)!.schema.columns.map((c) => c.name),
      ).toEqual(['c', 'id', 'a3', 'd']);
      expect(
        events.filter((e) => e.kind === 'ddl').map((e) => e.kind === 'ddl' && e.ddlKind),
      ).toEqual(['CREATE', 'ALTER', 'ALTER', 'ALTER']);
      const final = await selectCanonical(scratch.admin.connection, scratch.name, 'evolved', 'id');
      expect(final.at(-1)!.map(show)).toEqual(['1', '4', '界', 'y']);
      expect(test.warnings).toEqual([]);
    } finally {
      test.close();
    }
  });
});
