import type { Logger } from '@tidewater/engine';

/**
 * Node's process warnings (deprecations, experimental features, …) as the worker's JSON log
 * lines instead of Node's plain text on stderr, which broke the one-line-per-object shape.
 *
 * One is expected and harmless: kafkajs 2.2.4, which the sink still uses for its admin
 * requests (describing topics when a task starts), schedules a timeout with a negative delay
 * on Node 24 (`TimeoutNegativeWarning`, kafkajs issue 1751, fixed upstream but unreleased);
 * Node runs it after 1 ms, which is what kafkajs means. It is logged at debug, the others at
 * warn.
 */
export function logProcessWarnings(log: Logger): void {
  // Node's own listener is the one that prints; a process keeps only this one.
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const fields = {
      warning: warning.name,
      ...(warning.code === undefined ? {} : { code: warning.code }),
    };
    if (warning.name === 'TimeoutNegativeWarning') {
      log.debug(`process warning: ${warning.message}`, fields);
    } else {
      log.warn(`process warning: ${warning.message}`, fields);
    }
  });
}
