import { createLogger, LOG_LEVELS, type LogLevel } from '@tidewater/engine';

/**
 * The worker's log: one JSON object per line, the shape the web app writes too (see the
 * engine's log.ts). The level is TIDEWATER_LOG_LEVEL; the environment check at start-up
 * refuses a wrong one, and until then (or to report that) the level is info.
 */
const configured = process.env.TIDEWATER_LOG_LEVEL;
const level: LogLevel = LOG_LEVELS.includes(configured as LogLevel)
  ? (configured as LogLevel)
  : 'info';

export const log = createLogger({ service: 'worker', level });
