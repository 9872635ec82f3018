import { z } from 'zod';

/**
 * Where a precheck item stands: waiting for its turn, being checked, or finished with one of
 * three results. The engine stores it, the API and the CLI return it, the console shows it.
 */
export const PRECHECK_STATUSES = ['pending', 'running', 'pass', 'warning', 'fail'] as const;
export const precheckStatusSchema = z.enum(PRECHECK_STATUSES);
export type PrecheckStatus = z.infer<typeof precheckStatusSchema>;

/** The results a finished check gives. */
export const PRECHECK_RESULTS = [
  'pass',
  'warning',
  'fail',
] as const satisfies readonly PrecheckStatus[];
export type PrecheckResultStatus = (typeof PRECHECK_RESULTS)[number];

export const precheckStatusLabels: Record<PrecheckStatus, string> = {
  pending: 'Waiting',
  running: 'Checking',
  pass: 'Passed',
  warning: 'Warning',
  fail: 'Failed',
};
