/**
 * Time zones for rendering TIMESTAMP values the way Canal does: Canal prints a TIMESTAMP with
 * `java.sql.Timestamp.toString()`, i.e. in the Canal JVM's default zone (Canal
 * `RowsLogBuffer`, MYSQL_TYPE_TIMESTAMP2). Our canonical TIMESTAMP is UTC, so the caller names
 * the zone to render in (normally the source server's `time_zone`).
 */
import { TidewaterError } from '@tidewater/errors';

export interface TimeZoneRule {
  /** The name as given: `Asia/Shanghai`, `+08:00`, `UTC`. */
  readonly name: string;
  /** Offset from UTC in seconds at an instant (epoch seconds). */
  offsetAt(epochSeconds: number): number;
}

const resolved = new Map<string, TimeZoneRule>();

/**
 * Accepts an IANA zone name (`Asia/Shanghai`), `UTC`/`Z`/`GMT`, or a fixed offset as MySQL
 * writes it (`+08:00`, `-05:30`). MySQL's `SYSTEM` must be resolved by the caller first.
 */
export function resolveTimeZone(name: string): TimeZoneRule {
  const known = resolved.get(name);
  if (known !== undefined) return known;
  const rule = createRule(name);
  resolved.set(name, rule);
  return rule;
}

function createRule(name: string): TimeZoneRule {
  if (name === 'UTC' || name === 'Z' || name === 'GMT') return fixedRule(name, 0);
  const offset = /^([+-])(\d{1,2}):(\d{2})$/.exec(name);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3]);
    if (hours <= 14 && minutes < 60) {
      const seconds = (hours * 3600 + minutes * 60) * (offset[1] === '-' ? -1 : 1);
      return fixedRule(name, seconds);
    }
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch (error) {
    throw new TidewaterError('FORMAT_TIME_ZONE_INVALID', `Unknown time zone "${name}".`, {
      category: 'invalid_input',
      remedy:
        'Use an IANA zone name (Asia/Shanghai), UTC, or an offset such as +08:00; resolve SYSTEM to the server host zone first.',
      details: { timeZone: name },
      cause: error,
    });
  }
  return zonedRule(name, format);
}

function fixedRule(name: string, seconds: number): TimeZoneRule {
  return { name, offsetAt: () => seconds };
}

/** Offsets change at most once per quarter hour, so they are cached per 15-minute bucket. */
const BUCKET_SECONDS = 900;
const MAX_CACHED_BUCKETS = 50_000;

function zonedRule(name: string, format: Intl.DateTimeFormat): TimeZoneRule {
  const byBucket = new Map<number, number>();
  const exact = (epochSeconds: number): number => {
    const parts = format.formatToParts(epochSeconds * 1000);
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let isBce = false;
    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          isBce = part.value === 'BC';
          break;
        default:
          break;
      }
    }
    const wall = Date.UTC(isBce ? 1 - year : year, month - 1, day, hour, minute, second);
    // Date.UTC maps years 0–99 to 1900–1999; the TIMESTAMP range never reaches them.
    return wall / 1000 - epochSeconds;
  };
  return {
    name,
    offsetAt(epochSeconds: number): number {
      const bucket = Math.floor(epochSeconds / BUCKET_SECONDS);
      const cached = byBucket.get(bucket);
      if (cached !== undefined) return cached;
      const start = bucket * BUCKET_SECONDS;
      const atStart = exact(start);
      const atEnd = exact(start + BUCKET_SECONDS - 1);
      if (atStart !== atEnd) return exact(epochSeconds);
      if (byBucket.size >= MAX_CACHED_BUCKETS) byBucket.clear();
      byBucket.set(bucket, atStart);
      return atStart;
    },
  };
}
