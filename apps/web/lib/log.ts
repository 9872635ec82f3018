import { createLogger, LOG_LEVELS, type LogLevel } from '@tidewater/engine';

/**
 * The console's log: one JSON object per line, the shape the worker writes too (see the
 * engine's log.ts), at TIDEWATER_LOG_LEVEL (the environment check at start-up refuses a wrong
 * one; until then, info).
 */
const configured = process.env.TIDEWATER_LOG_LEVEL;
const level: LogLevel = LOG_LEVELS.includes(configured as LogLevel)
  ? (configured as LogLevel)
  : 'info';

export const log = createLogger({ service: 'web', level });
