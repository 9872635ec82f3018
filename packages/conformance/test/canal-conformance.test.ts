/**
 * Canal conformance: the real Canal 1.1.7 (embedded, its flat-message conversion and fastjson2
 * serialisation as its Kafka producer does them) and Tidewater read the same binlog range of
 * the test MariaDB; every message and every field except `id`, `ts` and `es` must be equal,
 * unless the difference is declared, with its reason, in `canal-deviations.json`.
 */
import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { readBinlogPosition, readSchemaHistory } from '@tidewater/mysql-source';

import { startCanalDump, type CanalDump } from '../src/canal-dump';
import {
  classifyDifferences,
  compareFlatMessages,
  describeDifference,
  type Deviation,
  type FlatMessage,
} from '../src/canal-compare';
import { createStartingTables, runScenario } from './canal-scenario';
import { SOURCE, sourceSession, sourceTimeZone, uniqueName } from './source';
import { startTidewaterCanal, type TidewaterCanal } from './tidewater-canal';

const deviationsFile = new URL('./canal-deviations.json', import.meta.url);
const formatsReadme = new URL('../../formats/README.md', import.meta.url);
const deviations = JSON.parse(readFileSync(deviationsFile, 'utf8')) as Deviation[];

const database = uniqueName('tw_canal');
const canalUser = uniqueName('tw_canal').slice(0, 32);
const canalPassword = uniqueName('pw');
let admin: mysql.Connection;
let canal: CanalDump | undefined;
let tidewater: TidewaterCanal | undefined;

beforeAll(async () => {
  admin = await sourceSession();
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [canalUser, canalPassword]);
  await admin.query(`GRANT SELECT ON \`${database}\`.* TO ?@'%'`, [canalUser]);
  await admin.query(`GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO ?@'%'`, [canalUser]);
});

afterAll(async () => {
  canal?.kill();
  tidewater?.close();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.query(`DROP USER IF EXISTS ?@'%'`, [canalUser]);
  await admin?.end();
});

const stripQuotes = (name: string) => name.replace(/^`(.*)`$/, '$1');

/**
 * Canal's messages about the test's database. Canal also writes, unfiltered, a QUERY message
 * with the statement text for every MariaDB annotate-rows event of the server (other tests'
 * statements included): one belongs to the test when the row message after it does.
 */
function canalMessagesOfDatabase(messages: FlatMessage[]): FlatMessage[] {
  const isOurs = (message: FlatMessage | undefined) =>
    message !== undefined && stripQuotes(message.database) === database;
  return messages.filter(
    (message, index) =>
      isOurs(message) ||
      (message.type === 'QUERY' &&
        !message.isDdl &&
        message.database === '' &&
        isOurs(messages[index + 1]) &&
        !messages[index + 1]!.isDdl),
  );
}

describe('Canal conformance', () => {
  it('every deviation has a reason, and each accepted one is in the formats README', () => {
    const readme = readFileSync(formatsReadme, 'utf8');
    for (const deviation of deviations) {
      expect(deviation.reason.trim(), deviation.id).not.toBe('');
      expect(['accepted', 'being fixed in issue 11'], deviation.id).toContain(deviation.status);
      if (deviation.status === 'accepted') {
        expect(
          deviation.readme !== undefined && readme.includes(deviation.readme),
          `${deviation.id}: its "readme" text names a row of packages/formats/README.md's compatibility table`,
        ).toBe(true);
      }
    }
  });

  it('writes what the real Canal 1.1.7 writes for the same binlog, except the declared deviations', async () => {
    const writer = await sourceSession(database);
    try {
      await createStartingTables(writer);
      // A fresh binlog file: Canal scans the start file from its beginning to the start position.
      await admin.query('FLUSH BINARY LOGS');
      const start = await readBinlogPosition(admin);
      const timeZone = await sourceTimeZone(admin);
      const schemaHistory = await readSchemaHistory(admin, { databases: [database] });

      canal = await startCanalDump({
        host: SOURCE.host,
        port: SOURCE.port,
        user: canalUser,
        password: canalPassword,
        start,
        filter: `${database}\\..*`,
        timeZone,
        slaveId: randomInt(1_000_000, 2_000_000_000),
      });
      tidewater = await startTidewaterCanal({ start, schemaHistory, database, timeZone });

      await runScenario(writer);
      const end = await readBinlogPosition(admin);
      console.info(`binlog range ${start.file}:${start.pos} .. ${end.file}:${end.pos}`);
      tidewater.setEnd(end);
      const canalLines = await canal.finish(end, async () => {
        await writer.query('INSERT INTO marker VALUES (1)');
      });
      const tidewaterLines = await tidewater.finish();

      const canalMessages = canalMessagesOfDatabase(
        canalLines.map((line) => JSON.parse(line) as FlatMessage),
      );
      const tidewaterMessages = tidewaterLines.map((line) => JSON.parse(line) as FlatMessage);
      // Not vacuous: both sides saw the scenario, every DDL kind included.
      expect(canalMessages.length).toBeGreaterThan(100);
      expect(tidewaterMessages.length).toBeGreaterThan(80);
      expect(new Set(canalMessages.filter((m) => m.isDdl).map((m) => m.type))).toEqual(
        new Set(['ALTER', 'CINDEX', 'DINDEX', 'RENAME', 'TRUNCATE', 'CREATE', 'ERASE']),
      );

      const differences = compareFlatMessages(canalMessages, tidewaterMessages);
      const { explained, unexplained } = classifyDifferences(differences, deviations);
      const summary = [...explained]
        .map(
          ([id, found]) =>
            `${id}: ${found.length}${found[0] ? ` (e.g. ${describeDifference(found[0])})` : ''}`,
        )
        .join('\n');
      console.info(`Differences explained by deviations:\n${summary}`);
      const reportFile = process.env.TIDEWATER_CANAL_REPORT;
      if (reportFile) {
        // Every message of both sides and every difference, for a closer look.
        writeFileSync(
          reportFile,
          JSON.stringify(
            {
              canalMessages,
              tidewaterMessages,
              differences: differences.map(describeDifference),
              canalStderr: canal.stderr(),
            },
            null,
            1,
          ),
        );
      }

      expect(
        unexplained.map(describeDifference),
        'differences with the real Canal that canal-deviations.json does not declare',
      ).toEqual([]);
      expect(
        [...explained]
          .filter(
            ([id, found]) =>
              found.length === 0 && !deviations.find((d) => d.id === id)?.mayBeAbsent,
          )
          .map(([id]) => id),
        'deviations the scenario no longer shows: remove them (or fix the scenario)',
      ).toEqual([]);
    } finally {
      await writer.end();
    }
  });
});
