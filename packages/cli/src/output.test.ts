import { describe, expect, it } from 'vitest';
import { TidewaterError } from '@tidewater/errors';
import { ID, item, summary } from './api-fixtures';
import type { TaskDetails } from './api-types';
import {
  formatBytes,
  formatDestinationConnectivity,
  formatError,
  formatLatency,
  formatPrecheckItem,
  formatSourceConnectivity,
  formatStatusLine,
  formatTable,
  formatTaskDetails,
  formatTaskList,
} from './output';

describe('formatError', () => {
  it('prints the code, the message, each field problem and how to fix it', () => {
    const error = new TidewaterError(
      'INVALID_INPUT',
      'source.port: A port is between 1 and 65535.',
      {
        category: 'invalid_input',
        remedy: 'Correct the fields listed in details.problems and send the request again.',
        details: {
          problems: [
            { path: 'source.port', message: 'A port is between 1 and 65535.' },
            { path: '', message: 'Expected an object.' },
          ],
        },
      },
    );
    expect(formatError(error)).toBe(
      [
        'Error INVALID_INPUT: source.port: A port is between 1 and 65535.',
        '  source.port: A port is between 1 and 65535.',
        '  (whole): Expected an object.',
        'How to fix: Correct the fields listed in details.problems and send the request again.',
      ].join('\n'),
    );
  });
});

describe('numbers', () => {
  it('reads latency, bytes and tables the way the console shows them', () => {
    expect(formatLatency(null)).toBe('-');
    expect(formatLatency(350)).toBe('350 ms');
    expect(formatLatency(1_250)).toBe('1.3 s');
    expect(formatLatency(600_000)).toBe('10 min');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_258_291)).toBe('1.2 MB');
    expect(formatTable(['A', 'LONG'], [['wide cell', 'x']])).toBe('A          LONG\nwide cell  x');
  });
});

describe('formatTaskList', () => {
  it('prints one row per task with status, stage and progress', () => {
    const text = formatTaskList([
      summary(),
      summary({
        id: 'other',
        name: 'idle',
        status: 'created',
        stage: null,
        progress: { percent: null, rowsDone: 0, rowsEstimated: 0 },
        metrics: null,
      }),
    ]);
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^ID +NAME +STATUS +PROGRESS +RECORDS\/S +CREATED \(UTC\)$/);
    expect(first).toContain('Running · full data migration');
    expect(first).toMatch(/42% +2,000 +2025-03-01 10:00:00$/);
    expect(second).toMatch(/^other +idle +Created +- +- +2025-03-01 10:00:00$/);
  });

  it('says how to create a task when there is none', () => {
    expect(formatTaskList([])).toContain('tidewater create -f task.yaml');
  });
});

describe('formatPrecheckItem', () => {
  it('shows how to fix a failure and how to ignore it when it may be ignored', () => {
    const failed = item({
      key: 'destination.conflicts',
      name: 'Conflicting tables',
      status: 'fail',
      message: 'Topic demo holds messages for demo_shop.orders.',
      remedy: 'Use an empty topic.',
      isIgnorable: true,
    });
    expect(formatPrecheckItem(failed, ID)).toBe(
      [
        '[ FAIL ]  Conflicting tables: Topic demo holds messages for demo_shop.orders.',
        '          How to fix: Use an empty topic.',
        `          May be ignored: tidewater ignore ${ID} destination.conflicts`,
      ].join('\n'),
    );
    expect(formatPrecheckItem({ ...failed, isIgnored: true }, ID).split('\n')[0]).toBe(
      '[ignored] Conflicting tables: Topic demo holds messages for demo_shop.orders.',
    );
    expect(formatPrecheckItem(item(), ID)).toBe(
      '[ pass ]  Source connectivity: Connected to MariaDB 10.11.',
    );
  });
});

describe('formatStatusLine', () => {
  it('shows stage, percent, rows, records/s and latency', () => {
    const now = new Date(2025, 2, 1, 11, 30, 5);
    expect(formatStatusLine(summary(), now)).toBe(
      '11:30:05  Running · full data migration  42%  12,345/29,000 rows  2,000 records/s  latency 350 ms',
    );
  });

  it('shows why a task retries or failed', () => {
    const now = new Date(2025, 2, 1, 11, 30, 5);
    expect(
      formatStatusLine(
        summary({ retrying: { since: '2025-03-01T11:29:00Z', lastError: 'Kafka is down.' } }),
        now,
      ),
    ).toContain('Running (retrying) · full data migration');
    expect(
      formatStatusLine(
        summary({ status: 'failed', statusReason: 'BINLOG_PURGED: gone', metrics: null }),
        now,
      ),
    ).toBe('11:30:05  Failed  42%  12,345/29,000 rows  reason: BINLOG_PURGED: gone');
  });
});

describe('formatTaskDetails', () => {
  it('shows stages, tables, the precheck and the recent events', () => {
    const details: TaskDetails = {
      ...summary({ warnings: ['Incremental migration is off.'] }),
      tables: [
        {
          database: 'demo_shop',
          table: 'orders',
          rowsDone: 10_000,
          rowsEstimated: 20_000,
          lastKey: [10_000],
          isDone: false,
        },
        {
          database: 'demo_shop',
          table: 'customers',
          rowsDone: 2_345,
          rowsEstimated: 2_000,
          lastKey: null,
          isDone: true,
        },
      ],
      precheck: { items: [item()], successRate: 100, isComplete: true },
      events: Array.from({ length: 12 }, (_, index) => ({
        id: String(index),
        at: `2025-03-01T10:${String(index).padStart(2, '0')}:00.000Z`,
        level: 'info' as const,
        kind: 'note',
        message: `event ${index}`,
        data: null,
      })),
      metricHistory: [],
      alerts: [],
    };
    const text = formatTaskDetails(details);
    expect(text).toContain(`Task demo shop (${ID})`);
    expect(text).toContain(
      'Stages:         schema migration, full data migration, incremental data migration',
    );
    expect(text).toContain('Progress:       42% (12,345 of ~29,000 rows)');
    expect(text).toContain('Throughput:     2,000 records/s, 1.2 MB/s, latency 350 ms');
    expect(text).toContain('Warning: Incremental migration is off.');
    expect(text).toMatch(/demo_shop\.orders +10,000 +20,000 +50% +no/);
    expect(text).toMatch(/demo_shop\.customers +2,345 +2,000 +100% +yes/);
    expect(text).toContain('Precheck: 100% success, 1 items');
    expect(text).not.toContain('event 1\n');
    expect(text).toContain('2025-03-01 10:11:00  info     event 11');
  });
});

describe('connectivity', () => {
  it('prints the server found, or the failure with its remedy', () => {
    expect(
      formatSourceConnectivity({
        isReachable: true,
        server: { flavour: 'mariadb', version: '10.11.9', description: 'MariaDB 10.11.9' },
        clientAddress: '10.0.0.7',
      }),
    ).toBe(
      "Source reachable: MariaDB 10.11.9\n  Tidewater connects from 10.0.0.7 (allow it in the source's firewall).",
    );
    expect(
      formatDestinationConnectivity({
        isReachable: false,
        error: {
          code: 'KAFKA_UNREACHABLE',
          message: 'No broker answered.',
          remedy: 'Check hosts.',
          details: {},
        },
      }),
    ).toBe(
      'The destination is not reachable.\nError KAFKA_UNREACHABLE: No broker answered.\nHow to fix: Check hosts.',
    );
    expect(
      formatDestinationConnectivity({
        isReachable: true,
        brokerVersion: '3.9',
        topics: [{ name: 'demo', partitions: 3 }],
        schemaRegistry: null,
      }),
    ).toBe(
      'Kafka reachable: broker version 3.9\n  Topics (1):\n    TOPIC  PARTITIONS\n    demo   3',
    );
  });
});
