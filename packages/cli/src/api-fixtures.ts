import { taskConfigSchema } from '@tidewater/config';
import { precheckItemSchema, taskSummarySchema } from '@tidewater/config/api';
import type { PrecheckItem, TaskSummary } from './api-types';

/** API answers as the unit tests build them, checked against the API's contract. */

export const ID = '8c1e6f1e-0000-4000-8000-000000000001';

const { source, destination, ...config } = taskConfigSchema.parse({
  name: 'demo shop',
  source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root' },
  destination: { hosts: '127.0.0.1', port: 9092, topic: 'demo' },
  format: 'canal-json',
  objects: [{ kind: 'database', database: 'demo_shop' }],
});

const baseSummary: TaskSummary = taskSummarySchema.parse({
  id: ID,
  name: 'demo shop',
  status: 'running',
  statusReason: null,
  config: {
    ...config,
    source: { ...source, hasPassword: false },
    destination: {
      ...destination,
      hasPassword: false,
      tls: { ...destination.tls, hasClientKey: false },
    },
  },
  startedAt: '2025-03-01T10:02:00.000Z',
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:05:00.000Z',
  stage: 'full',
  actions: ['pause', 'release'],
  progress: { percent: 42, rowsDone: 12_345, rowsEstimated: 29_000 },
  metrics: { recordsPerSecond: 2_000, bytesPerSecond: 1_258_291, latencyMs: 350 },
  retrying: null,
  warnings: [],
  termsAcceptance: { by: 'admin', at: '2025-03-01T10:02:00.000Z' },
});

/** A task as the API answers it; the overrides are the test's own (an odd id, a hostile name). */
export function summary(overrides: Partial<TaskSummary> = {}): TaskSummary {
  return { ...baseSummary, ...overrides };
}

const baseItem: PrecheckItem = precheckItemSchema.parse({
  key: 'source.connectivity',
  name: 'Source connectivity',
  position: 0,
  status: 'pass',
  message: 'Connected to MariaDB 10.11.',
  remedy: '',
  isIgnorable: false,
  isIgnored: false,
  finishedAt: '2025-03-01T10:01:00.000Z',
});

export function item(overrides: Partial<PrecheckItem> = {}): PrecheckItem {
  return { ...baseItem, ...overrides };
}
