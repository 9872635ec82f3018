import { measureDecode } from '@tidewater/mysql-source/bench/decode';
import { runSnapshotBench } from '@tidewater/mysql-source/bench/snapshot';
import { summarize } from '../figures';
import type { Figure } from '../figures';
import { defineSection } from '../section';

/**
 * The source engine alone (issue 4's section): `readSnapshot` over the 1M-row sysbench table,
 * without and with binlog watermarks (the lock-free design the task runs), beside a bare mysql2
 * read of the same table interleaved with it, and binlog decoding of the same row shape from
 * bytes in memory (decoder and change assembler only, no socket).
 */

const ROWS = 1_000_000;
/** The engine's snapshot defaults (DEFAULT_SOURCE_TUNING in the engine's source adapter). */
const CHUNK_SIZE = 4096;
const CONCURRENCY = 2;
const FLOOR = 'mysql2 SELECT * interleaved with the snapshot runs';

export default defineSection({
  title: 'Source engine: snapshot read and binlog decode',
  description:
    '`readSnapshot` of the 1,000,000-row sysbench table `bench.sbtest1` (chunks of 4,096 rows, 2 ' +
    'in parallel: the engine defaults), rows counted and dropped, after one unmeasured pass; with ' +
    'watermarks it reads the binlog position around every chunk and reconciles each window (empty ' +
    'on an idle table). Decode: binlog bytes for the same row built in memory, through the event ' +
    'decoder and the change assembler. Targets (issue 4): snapshot read ≥ 300k rows/s, decode ≥ ' +
    '200k row events/s; (issue 13) one row per transaction ≥ 300k row events/s.',
  services: ['mariadb'],
  async run({ section, endpoints, runs, log }): Promise<Figure[]> {
    const source = {
      host: endpoints.mariadb.host,
      port: endpoints.mariadb.port,
      user: endpoints.mariadb.rootUser,
      password: endpoints.mariadb.rootPassword,
    };
    const figures: Figure[] = [];
    const floors: number[] = [];
    for (const watermarks of [false, true]) {
      const result = await runSnapshotBench({
        source,
        runs,
        rows: ROWS,
        chunkSize: CHUNK_SIZE,
        concurrency: CONCURRENCY,
        watermarks,
        log: (message) => log(`snapshot${watermarks ? ' with watermarks' : ''}: ${message}`),
      });
      floors.push(...result.floorRowsPerSecond);
      figures.push(
        summarize(
          section,
          watermarks ? 'readSnapshot with binlog watermarks' : 'readSnapshot, chunks only',
          'rows/s',
          result.snapshotRowsPerSecond,
          {
            ratioTo: `${section}/${FLOOR}`,
            note: `${ROWS.toLocaleString('en-US')} rows, chunk ${CHUNK_SIZE}, concurrency ${CONCURRENCY}, watermarks ${watermarks ? 'on' : 'off'}`,
          },
        ),
      );
    }
    figures.push(
      summarize(section, FLOOR, 'rows/s', floors, {
        ratioTo: 'floors/mysql2 full-table SELECT *, rows discarded',
        note: 'rowsAsArray, one run after each snapshot run (both snapshot figures), so both see the same load',
      }),
    );

    // Each measured run builds its own binlog bytes, so every run is a sample of its own.
    const bulk: number[] = [];
    const single: number[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const decoded = await measureDecode({ rows: ROWS, runs: 1 });
      bulk.push(decoded.bulkRowsPerSecond);
      single.push(decoded.singleRowTransactionsPerSecond);
      log(
        `decode run ${run}/${runs}: ${decoded.bulkRowsPerSecond} row events/s in one transaction, ` +
          `${decoded.singleRowTransactionsPerSecond} in one-row transactions`,
      );
    }
    figures.push(
      summarize(section, 'binlog decode, one large transaction', 'row events/s', bulk, {
        note: `${ROWS.toLocaleString('en-US')} WRITE_ROWS v2 rows in ~8 KiB rows events, CRC32 checked, one warm-up pass per run`,
      }),
      summarize(section, 'binlog decode, one row per transaction', 'row events/s', single, {
        note: '200,000 transactions of GTID, BEGIN, TABLE_MAP, WRITE_ROWS, XID',
      }),
    );
    return figures;
  },
});
