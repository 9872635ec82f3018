/**
 * The same row gives the same message whether the full migration read it (snapshot SELECT) or
 * the incremental migration decoded it from the binlog, in both formats, under each
 * `binlog_row_metadata` MariaDB offers. The rows are the type matrix of binlog-type-matrix.ts
 * (every type family, edge values, NULLs, non-UTF-8 charsets, MariaDB-only types), in tables
 * created before the stream starts so both halves describe them from the same source read.
 *
 * Compared per row, so the codes of NULL values count: Canal JSON's `data`, `old`, `mysqlType`,
 * `sqlType`, `pkNames`, names; DTS Avro's `objectName`, `fields`, the row image and `pk_uk_info`.
 * Left out because they differ by nature: Canal `type`/`es`/`ts`/`id`/`gtid`, DTS `operation`
 * (INIT vs INSERT), `id`, positions, timestamps and the other tags.
 *
 * `binlog_row_metadata` is global only, so the file runs a MariaDB of its own (private-source.ts).
 */
import type { ChangeEvent, RowEvent, RowImage, TableSchema } from '@tidewater/change-events';
import { decodeDtsAvro, encodeCanalJson, encodeDtsAvro } from '@tidewater/formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource } from '../src/connect';
import { quoteIdentifier } from '../src/identifiers';
import { readTableSchema } from '../src/introspect';
import { readSnapshot } from '../src/snapshot';
import { isCommitCount, openTestStream, startPosition } from './binlog-fixture';
import { insertStatement, typeCasesFor, type TypeCase } from './binlog-type-matrix';
import { startPrivateSource, type PrivateSource } from './private-source';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

const TIME_ZONE = 'Asia/Shanghai';

function canalRowPart(event: RowEvent): Record<string, unknown> {
  const message = JSON.parse(
    encodeCanalJson(event, { id: 1, ts: 0, timeZone: TIME_ZONE }).toString('utf8'),
  ) as Record<string, unknown>;
  const { type: _type, es: _es, ts: _ts, id: _id, gtid: _gtid, ...rowPart } = message;
  return rowPart;
}

function avroRowPart(event: RowEvent): Record<string, unknown> {
  const [bytes] = encodeDtsAvro(event, { id: 1, sourceVersion: '10.11' });
  const record = decodeDtsAvro(bytes!);
  return {
    objectName: record.objectName,
    fields: record.fields,
    image: event.kind === 'delete' ? record.beforeImages : record.afterImages,
    otherImage: event.kind === 'delete' ? record.afterImages : record.beforeImages,
    pkUkInfo: record.tags.pk_uk_info,
  };
}

function oneRow<T extends RowEvent>(event: T, row: RowImage): T {
  return { ...event, rows: [row] } as T;
}

function rowsOf(events: ChangeEvent[], kind: 'insert' | 'delete', table: string): RowImage[] {
  return events.flatMap((e) => (e.kind === kind && e.schema.table === table ? e.rows : []));
}

async function readWholeSnapshot(
  scratch: ScratchDatabase,
  cases: TypeCase[],
): Promise<Map<string, { schema: TableSchema; rows: RowImage[] }>> {
  const tables = new Map<string, { schema: TableSchema; rows: RowImage[] }>();
  for await (const item of readSnapshot({
    connect: () => connectSource(scratch.source),
    tables: cases.map((c) => ({ database: scratch.name, table: c.table })),
  })) {
    if (item.kind !== 'chunk') continue;
    const known = tables.get(item.event.schema.table);
    if (known === undefined) {
      tables.set(item.event.schema.table, {
        schema: item.event.schema,
        rows: [...item.event.rows],
      });
    } else {
      known.rows.push(...item.event.rows);
    }
  }
  return tables;
}

/** Writes the matrix, reads it both ways, and compares the messages row by row. */
async function compareSnapshotAndStream(
  scratch: ScratchDatabase,
  isIncluded: (typeCase: TypeCase) => boolean = () => true,
): Promise<void> {
  const cases = typeCasesFor(scratch.admin.server).filter(isIncluded);
  for (const typeCase of cases) {
    await scratch.exec(
      `CREATE TABLE ${quoteIdentifier(typeCase.table)} (id INT PRIMARY KEY, ${typeCase.columns}) DEFAULT CHARSET=utf8mb4`,
    );
  }
  const start = await startPosition(scratch.admin.connection);
  const test = await openTestStream(start, { databases: [scratch.name], source: scratch.source });
  try {
    for (const typeCase of cases) {
      if (typeCase.sqlMode !== undefined)
        await scratch.exec('SET SESSION sql_mode = ?', [typeCase.sqlMode]);
      const values = typeCase.rows.map((row, i) => `(${i + 1}, ${row})`).join(', ');
      await scratch.exec(insertStatement(typeCase, values));
      await scratch.exec('SET SESSION sql_mode = DEFAULT');
    }
    const snapshot = await readWholeSnapshot(scratch, cases);
    // The deletes give the stream's before images of the same rows.
    for (const typeCase of cases) {
      await scratch.exec(`DELETE FROM ${quoteIdentifier(typeCase.table)}`);
    }
    const events = await test.readUntil(isCommitCount(2 * cases.length), 60_000);
    expect(test.warnings.filter((w) => w.code !== 'SOURCE_RECONNECTING')).toEqual([]);

    for (const typeCase of cases) {
      const read = snapshot.get(typeCase.table);
      const inserted = rowsOf(events, 'insert', typeCase.table);
      const deleted = rowsOf(events, 'delete', typeCase.table);
      expect(read?.rows, typeCase.table).toHaveLength(typeCase.rows.length);
      expect(inserted, typeCase.table).toHaveLength(typeCase.rows.length);
      expect(deleted, typeCase.table).toHaveLength(typeCase.rows.length);
      const insertEvent = events.find(
        (e): e is RowEvent & { kind: 'insert' } =>
          e.kind === 'insert' && e.schema.table === typeCase.table,
      )!;
      const deleteEvent = events.find(
        (e): e is RowEvent & { kind: 'delete' } =>
          e.kind === 'delete' && e.schema.table === typeCase.table,
      )!;
      const snapshotEvent: RowEvent = {
        kind: 'snapshot',
        schema: read!.schema,
        rows: [],
        timestamp: 0,
        position: null,
        gtid: null,
        serverId: null,
      };
      read!.rows.forEach((row, i) => {
        const where = `${typeCase.table} row ${i + 1}`;
        const canal = canalRowPart(oneRow(snapshotEvent, row));
        const avro = avroRowPart(oneRow(snapshotEvent, row));
        expect(canalRowPart(oneRow(insertEvent, inserted[i]!)), `${where} Canal insert`).toEqual(
          canal,
        );
        expect(canalRowPart(oneRow(deleteEvent, deleted[i]!)), `${where} Canal delete`).toEqual(
          canal,
        );
        expect(avroRowPart(oneRow(insertEvent, inserted[i]!)), `${where} Avro insert`).toEqual(
          avro,
        );
        expect(avroRowPart(oneRow(deleteEvent, deleted[i]!)), `${where} Avro delete`).toEqual(avro);
      });
    }
  } finally {
    test.close();
  }
}

describe('the snapshot and the binlog stream give the same messages for every type', () => {
  let source: PrivateSource;
  beforeAll(async () => {
    source = await startPrivateSource('fidelity');
  });
  afterAll(async () => {
    await source?.dispose();
  });

  it("prints Canal's mysqlType: the server's spelling for tables read at the start, the DDL's for tables created or altered during the stream", async () => {
    const scratch = await createScratchDatabase('fidelity_spelling', source.options);
    try {
      await scratch.exec(
        "CREATE TABLE before_start (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(32), e ENUM('a\\\\b', 'it''s'))",
      );
      const start = await startPosition(scratch.admin.connection);
      const test = await openTestStream(start, {
        databases: [scratch.name],
        source: scratch.source,
      });
      try {
        await scratch.exec(
          "CREATE TABLE during (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(32), d Decimal(10, 2), e ENUM('a','b'))",
        );
        await scratch.exec('ALTER TABLE before_start ADD COLUMN n INT(11) UNSIGNED ZEROFILL');
        await scratch.exec("INSERT INTO during VALUES (1, 'x', 1.5, 'b')");
        await scratch.exec("INSERT INTO before_start VALUES (1, 'x', 'it''s', 7)");
        const events = await test.readUntil(isCommitCount(2));
        const mysqlTypes = events.flatMap((event) =>
          event.kind === 'insert' ? [canalRowPart(event).mysqlType] : [],
        );
        expect(mysqlTypes).toEqual([
          {
            id: 'BIGINT unsigned',
            v: 'VARCHAR(32)',
            d: 'Decimal(10,2)',
            e: "ENUM('a','b')",
          },
          {
            id: 'bigint(20) unsigned',
            v: 'varchar(32)',
            // Canal re-prints SHOW CREATE TABLE's labels unescaped, quotes doubled.
            e: "enum('a\\b','it''s')",
            n: 'INT(11) unsigned zerofill',
          },
        ]);
      } finally {
        test.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('reads temporal columns in the MariaDB 5.3 format (mysql56_temporal_format=OFF) alike', async () => {
    await source.exec('SET GLOBAL binlog_row_metadata = FULL');
    await source.exec('SET GLOBAL mysql56_temporal_format = OFF');
    const scratch = await createScratchDatabase('fidelity_temporal53', source.options);
    try {
      await compareSnapshotAndStream(scratch, (c) => c.table === 'temporals');
      // information_schema marks these types `/* mariadb-5.3 */`; Canal parses SHOW CREATE
      // TABLE, where the marker is a comment, so mysqlType is the plain type.
      const schema = await readTableSchema(scratch.admin.connection, scratch.name, 'temporals');
      expect(schema.columns.map((c) => c.columnType).slice(1, 5)).toEqual([
        'year(4)',
        'date',
        'datetime',
        'datetime(3)',
      ]);
    } finally {
      await source.exec('SET GLOBAL mysql56_temporal_format = ON');
      await scratch.drop();
    }
  });

  it.each(['FULL', 'MINIMAL', 'NO_LOG'])(
    'in Canal JSON and DTS Avro, with binlog_row_metadata=%s',
    async (metadata) => {
      await source.exec(`SET GLOBAL binlog_row_metadata = ${metadata}`);
      const scratch = await createScratchDatabase('fidelity', source.options);
      try {
        const [rows] = await scratch.admin.connection.query(
          'SELECT @@GLOBAL.binlog_row_metadata AS value',
        );
        expect((rows as Array<{ value: string }>)[0]?.value).toBe(metadata);
        await compareSnapshotAndStream(scratch);
      } finally {
        await scratch.drop();
      }
    },
  );
});
