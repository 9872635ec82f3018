import type { PrecheckItem, TaskSummary } from './api-types';

/** API answers as the unit tests build them. */

export const ID = '8c1e6f1e-0000-4000-8000-000000000001';

export function summary(overrides: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id: ID,
    name: 'demo shop',
    status: 'running',
    statusReason: null,
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:05:00.000Z',
    stage: 'full',
    actions: ['pause', 'release'],
    progress: { percent: 42, rowsDone: 12_345, rowsEstimated: 29_000 },
    metrics: { recordsPerSecond: 2_000, bytesPerSecond: 1_258_291, latencyMs: 350 },
    retrying: null,
    warnings: [],
    termsAcceptance: { by: 'admin', at: '2025-03-01T10:02:00.000Z' },
    config: {
      stages: { schema: true, full: true, incremental: true },
      format: 'canal-json',
      instanceClass: 'unlimited',
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307 },
      destination: { hosts: '127.0.0.1', port: 9092, topic: 'demo' },
      objects: [{ kind: 'database', database: 'demo_shop' }],
    },
    ...overrides,
  };
}

export function item(overrides: Partial<PrecheckItem> = {}): PrecheckItem {
  return {
    key: 'source.connectivity',
    name: 'Source connectivity',
    position: 0,
    status: 'pass',
    message: 'Connected to MariaDB 10.11.',
    remedy: '',
    isIgnorable: false,
    isIgnored: false,
    finishedAt: '2025-03-01T10:01:00.000Z',
    ...overrides,
  };
}
