/**
 * Real consumers: Tidewater tasks copy the type matrix (full and incremental migration) into
 * Kafka in Canal JSON (with Canal's values and with the Flink values) and in DTS Avro;
 * Flink's canal-json format and Apache Avro Java read the topics, and every row they produce
 * must equal the source's `SELECT`. Flink is asked once per Flink SQL type a column can be
 * declared as; which ones read the values exactly are the two tables in
 * packages/formats/README.md, checked here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { CanalJsonValues } from '@tidewater/config';
import type { EngineContext } from '@tidewater/engine';

import { readWithAvroJava, readWithFlinkCanalJson, type FlinkLine } from '../src/consumers';
import {
  flinkCandidates,
  foldAvroRecords,
  judgeFlink,
  naturalFlinkType,
  readSourceTables,
  showValue,
  type Outcome,
  type SourceTable,
} from './consumer-check';
import { renderFlinkTypeTable, tableMarkers } from './flink-type-table';
import {
  BROKERS,
  createTopic,
  deleteTopic,
  sourceSession,
  sourceTimeZone,
  uniqueName,
} from './source';
import { engineForTests, runTask } from './task-run';
import {
  createTableSql,
  insertRowsSql,
  rotateRowsSql,
  typeTables,
  withSqlMode,
  type TypeTable,
} from './type-matrix';

/**
 * Dates with a zero month or day but not all zeros, which MariaDB keeps outside the strict
 * modes: Flink's DATE and TIMESTAMP reject them as they reject `0000-00-00`. Year 0 with a
 * real month and day is a date Flink reads.
 */
const zeroInDates: TypeTable = {
  table: 'zero_in_dates',
  columns: 'd DATE, dt DATETIME(3)',
  sqlMode: 'NO_ENGINE_SUBSTITUTION',
  rows: [
    "'2024-00-10', '2024-05-00 12:00:00.5'",
    "'0000-01-01', '0000-01-01 00:00:00.000'",
    "'2024-05-00', '2024-00-00 23:59:59.999'",
    'NULL, NULL',
  ],
};
const consumerTables = [...typeTables, zeroInDates];

const formatsReadme = new URL('../../formats/README.md', import.meta.url);
const database = uniqueName('tw_consumers');
const topics: string[] = [];
let context: EngineContext;
let admin: mysql.Connection;
/** The data topic per task: Canal JSON with Canal's values, with the Flink values, DTS Avro. */
let canalTopic: string;
let flinkValuesTopic: string;
let avroTopic: string;
let source: Map<string, SourceTable>;

/**
 * Values the consumers cannot get right today because Tidewater writes them wrong, each with
 * the issue that fixes it. A mismatch in these tables is excused and printed; remove the entry
 * once the fix lands.
 */
/** Tables whose mismatches are known product defects being fixed (none today). */
const knownDefects: Array<{ table: string; reason: string }> = [];
const excused: string[] = [];
const isKnownDefect = (table: string, mismatch: string) => {
  const defect = knownDefects.find((candidate) => candidate.table === table);
  if (defect) excused.push(`${mismatch} — ${defect.reason}`);
  return defect !== undefined;
};

const quote = (name: string) => `\`${name}\``;

/** Changes the incremental migration carries: new rows, every column updated, a key change, a delete. */
async function writeChanges(session: mysql.Connection): Promise<void> {
  for (const table of consumerTables) {
    const name = quote(table.table);
    await withSqlMode(session, table, async () => {
      await session.query(insertRowsSql(table, 101));
      await session.query(rotateRowsSql(table));
      await session.query(`UPDATE ${name} SET id = id + 200 WHERE id = 2`);
      await session.query(`DELETE FROM ${name} WHERE id = 3`);
    });
  }
}

beforeAll(async () => {
  admin = await sourceSession();
  // The consumers compare TIMESTAMP text with the UTC values the snapshot reads.
  expect(await sourceTimeZone(admin), 'the real-consumer suite expects a UTC source').toBe('UTC');
  await admin.query(`CREATE DATABASE ${quote(database)} CHARACTER SET utf8mb4`);
  const writer = await sourceSession(database);
  try {
    for (const table of consumerTables) {
      await writer.query(createTableSql(table));
      await withSqlMode(writer, table, async () => {
        await writer.query(insertRowsSql(table, 1));
      });
    }
    for (const prefix of [
      'tw-consumers-canal',
      'tw-consumers-canal-ddl',
      'tw-consumers-flink',
      'tw-consumers-flink-ddl',
      'tw-consumers-avro',
      'tw-consumers-avro-ddl',
    ]) {
      topics.push(await createTopic(prefix));
    }
    [canalTopic, , flinkValuesTopic, , avroTopic] = topics as [
      string,
      string,
      string,
      string,
      string,
    ];

    context = await engineForTests();
    const tasks = [
      await runTask(context, {
        database,
        topic: topics[0]!,
        ddlTopic: topics[1]!,
        format: 'canal-json',
      }),
      await runTask(context, {
        database,
        topic: topics[2]!,
        ddlTopic: topics[3]!,
        format: 'canal-json',
        canalJsonValues: 'flink',
      }),
      await runTask(context, {
        database,
        topic: topics[4]!,
        ddlTopic: topics[5]!,
        format: 'dts-avro',
      }),
    ];
    try {
      await Promise.all(tasks.map((task) => task.fullMigrationDone()));
      await writeChanges(writer);
      const [rows] = await writer.query<mysql.RowDataPacket[]>('SELECT @@last_gtid AS gtid');
      const lastGtid = String(rows[0]?.gtid);
      // Rows of a table outside the matrix: the consumers' folds leave them out.
      await writer.query('CREATE TABLE ticks (id INT AUTO_INCREMENT PRIMARY KEY)');
      const tick = async () => {
        await writer.query('INSERT INTO ticks VALUES ()');
      };
      await Promise.all(tasks.map((task) => task.caughtUpTo(lastGtid, tick)));
    } finally {
      await Promise.all(tasks.map((task) => task.stop()));
    }
  } finally {
    await writer.end();
  }
  source = await readSourceTables(
    database,
    consumerTables.map((table) => table.table),
  );
}, 600_000);

afterAll(async () => {
  if (excused.length > 0) console.warn(`Excused as known defects:\n${excused.join('\n')}`);
  for (const topic of topics) await deleteTopic(topic);
  await admin?.query(`DROP DATABASE IF EXISTS ${quote(database)}`);
  await admin?.end();
  await context?.close();
});

describe('real consumers', () => {
  it('Apache Avro Java reads every DTS Avro record, and the rows equal the source', async () => {
    const lines = await readWithAvroJava({ brokers: BROKERS, topic: avroTopic });
    const schemas = new Map([...source].map(([table, entry]) => [table, entry.schema]));
    const fold = foldAvroRecords(lines, schemas);
    expect(fold.errors).toEqual([]);
    expect(fold.trailingBytes, 'bytes left after a record').toEqual([]);
    const mismatches: string[] = [];
    for (const [table, expected] of source) {
      const got = fold.tables.get(table) ?? new Map();
      expect([...got.keys()].sort(), table).toEqual([...expected.rows.keys()].sort());
      for (const [id, row] of expected.rows) {
        expected.schema.columns.forEach((column, i) => {
          const value = got.get(id)?.[i] ?? null;
          const same =
            Buffer.isBuffer(row[i]) && Buffer.isBuffer(value)
              ? row[i].equals(value)
              : column.family === 'float'
                ? Math.fround(Number(value)) === Math.fround(Number(row[i])) &&
                  (value === null) === (row[i] === null)
                : value === row[i];
          const mismatch = `${table} id ${id} ${column.name} (${column.columnType}): source ${showValue(row[i]!)} · Avro ${showValue(value)}`;
          if (!same && !isKnownDefect(table, mismatch)) mismatches.push(mismatch);
        });
      }
    }
    expect(mismatches).toEqual([]);
    expect(lines.length).toBeGreaterThan(50);
  });

  it('Flink canal-json reads every row of the source under at least one declared type per column', async () => {
    await checkFlinkTypes(canalTopic, 'canal');
  });

  it("Flink canal-json reads every row of the Flink values under each column's natural type, zero dates as NULL", async () => {
    // One declaration per table, every column in the type the README says to declare: what
    // a Flink SQL table over the topic would hold.
    const declarations = [...source].map(([table, entry]) => ({
      name: table,
      table,
      rowType: `ROW<${entry.schema.columns
        .map((column, i) => `\`${column.name}\` ${i === 0 ? 'INT' : naturalFlinkType(column)}`)
        .join(', ')}>`,
    }));
    const lines = await readWithFlinkCanalJson({
      brokers: BROKERS,
      topic: flinkValuesTopic,
      declarations,
    });
    const problems: string[] = [];
    for (const [table, entry] of source) {
      const mine = lines.filter((line) => line.declaration === table);
      expect(mine.length, table).toBeGreaterThan(0);
      for (const column of entry.schema.columns.slice(1)) {
        const flinkType = naturalFlinkType(column);
        const outcome = judgeFlink(mine, entry, column, flinkType, 'flink');
        if (outcome.kind !== 'exact') {
          problems.push(
            `${table}.${column.name} (${column.columnType}) as ${flinkType}: ${describeOutcome(outcome)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('with the Flink values, Flink canal-json reads every column under at least one declared type', async () => {
    await checkFlinkTypes(flinkValuesTopic, 'flink');
  });
});

/**
 * Reads `topic` with Flink once per candidate type of every column; every column must read
 * exactly under one of them, and the README's table for `values` must be the one observed.
 */
async function checkFlinkTypes(topic: string, values: CanalJsonValues): Promise<void> {
  const declarations = [...source].flatMap(([table, entry]) =>
    entry.schema.columns.slice(1).flatMap((column) =>
      flinkCandidates(column).map((flinkType) => ({
        name: `${table}.${column.name}:${flinkType}`,
        table,
        rowType: `ROW<\`id\` INT, \`${column.name}\` ${flinkType}>`,
        column,
        flinkType,
      })),
    ),
  );
  const lines = await readWithFlinkCanalJson({ brokers: BROKERS, topic, declarations });
  const byDeclaration = new Map<string, FlinkLine[]>();
  for (const line of lines) {
    byDeclaration.set(line.declaration, [...(byDeclaration.get(line.declaration) ?? []), line]);
  }
  const outcomes = declarations.map((declaration) => ({
    ...declaration,
    outcome: judgeFlink(
      byDeclaration.get(declaration.name) ?? [],
      source.get(declaration.table)!,
      declaration.column,
      declaration.flinkType,
      values,
    ),
  }));
  console.info(
    `${values} values:\n` +
      outcomes
        .map((o) => `${o.name} (${o.column.columnType}): ${describeOutcome(o.outcome)}`)
        .join('\n'),
  );
  const unreadable = [...source].flatMap(([table, entry]) =>
    entry.schema.columns.slice(1).flatMap((column) => {
      const mine = outcomes.filter((o) => o.table === table && o.column.name === column.name);
      if (mine.some((o) => o.outcome.kind === 'exact')) return [];
      const problem = `${table}.${column.name} (${column.columnType}): ${mine.map((o) => `${o.flinkType} ${describeOutcome(o.outcome)}`).join('; ')}`;
      return isKnownDefect(table, problem) ? [] : [problem];
    }),
  );
  expect(unreadable).toEqual([]);

  // The README's table says what was observed; a known defect shows as the intended result.
  const observed = outcomes.map((o) => ({
    ...o,
    outcome: knownDefects.some((defect) => defect.table === o.table)
      ? ({ kind: 'exact' } as const)
      : o.outcome,
  }));
  const table = renderFlinkTypeTable(observed, values);
  const { start, end } = tableMarkers(values);
  const readme = readFileSync(formatsReadme, 'utf8');
  const current = readme.includes(start)
    ? readme.slice(readme.indexOf(start), readme.indexOf(end) + end.length)
    : '(no table)';
  expect(
    current,
    `packages/formats/README.md: replace the ${values} values' Flink type table with`,
  ).toBe(table);
}

function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'exact':
      return 'exact';
    case 'rejected':
      return `rejected (${outcome.messages} messages): ${outcome.error}`;
    case 'different':
      return `differs at id ${outcome.id}: source ${outcome.expected}, Flink ${outcome.got}`;
  }
}
