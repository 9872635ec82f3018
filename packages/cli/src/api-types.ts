import type { TaskStatus } from '@tidewater/config';

/**
 * The parts of the API's answers the CLI reads (the full shapes are in the OpenAPI document,
 * GET /api/openapi.json). `--json` prints the answers whole.
 */

export interface TaskSummary {
  id: string;
  name: string;
  status: TaskStatus;
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
  stage: string | null;
  actions: string[];
  progress: { percent: number | null; rowsDone: number; rowsEstimated: number };
  metrics: { recordsPerSecond: number; bytesPerSecond: number; latencyMs: number | null } | null;
  retrying: { since: string; lastError: string } | null;
  warnings: string[];
  /** Who accepted the terms of service at the last start, and when; null before. */
  termsAcceptance: { by: string; at: string } | null;
  config: {
    stages: { schema: boolean; full: boolean; incremental: boolean };
    format: string;
    instanceClass: string;
    source: { type: string; host: string; port: number };
    destination: { hosts: string; port: number; topic: string };
    objects: unknown[];
  };
}

export type PrecheckStatus = 'pending' | 'running' | 'pass' | 'warning' | 'fail';

export interface PrecheckItem {
  key: string;
  name: string;
  position: number;
  status: PrecheckStatus;
  message: string;
  remedy: string;
  isIgnorable: boolean;
  isIgnored: boolean;
  finishedAt: string | null;
}

export interface PrecheckReport {
  items: PrecheckItem[];
  successRate: number;
  isComplete: boolean;
}

export interface TableProgress {
  database: string;
  table: string;
  rowsDone: number;
  rowsEstimated: number;
  isDone: boolean;
}

export interface TaskEvent {
  id: string;
  at: string;
  level: 'info' | 'warning' | 'error';
  kind: string;
  message: string;
}

export interface TaskDetails extends TaskSummary {
  tables: TableProgress[];
  precheck: PrecheckReport;
  events: TaskEvent[];
  alerts: Array<{ kind: string; message: string; openedAt: string; clearedAt: string | null }>;
}

export interface ConnectivityFailure {
  isReachable: false;
  error: { code: string; message: string; remedy: string; details?: Record<string, unknown> };
}

export type SourceConnectivity =
  | {
      isReachable: true;
      server: { flavour: string; version: string; description: string };
      clientAddress: string;
    }
  | ConnectivityFailure;

export type DestinationConnectivity =
  | {
      isReachable: true;
      brokerVersion: string;
      topics: Array<{ name: string; partitions: number }>;
      schemaRegistry: { isReachable: boolean; message: string } | null;
    }
  | ConnectivityFailure;
