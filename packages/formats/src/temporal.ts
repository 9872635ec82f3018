/**
 * Reading the canonical temporal strings of `@tidewater/change-events` (`YYYY-MM-DD`,
 * `YYYY-MM-DD HH:MM:SS[.f…]`, `[-]H…H:MM:SS[.f…]`) without regular expressions or `Date`
 * parsing: both formats call these per value, so they stay allocation-light.
 */

export interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** The fraction as microseconds (`.12` → 120000); 0 without a fraction. */
  micros: number;
  /** The fraction digits exactly as written, without the dot; `''` without a fraction. */
  fraction: string;
}

function digitsAt(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

function microsOf(fraction: string): number {
  if (fraction === '') return 0;
  return digitsAt(fraction.padEnd(6, '0'), 0, 6);
}

/** Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS[.f…]`; zero dates give zero parts. */
export function parseDateTime(s: string): DateTimeParts {
  const hasTime = s.length >= 19;
  const fraction = s.length > 20 ? s.slice(20) : '';
  return {
    year: digitsAt(s, 0, 4),
    month: digitsAt(s, 5, 2),
    day: digitsAt(s, 8, 2),
    hour: hasTime ? digitsAt(s, 11, 2) : 0,
    minute: hasTime ? digitsAt(s, 14, 2) : 0,
    second: hasTime ? digitsAt(s, 17, 2) : 0,
    micros: microsOf(fraction),
    fraction,
  };
}

export interface TimeParts {
  isNegative: boolean;
  hours: number;
  minutes: number;
  seconds: number;
  micros: number;
}

/** Parses a TIME value `[-]H…H:MM:SS[.f…]` (hours may have three digits, up to 838). */
export function parseTime(s: string): TimeParts {
  const isNegative = s.charCodeAt(0) === 45; // '-'
  const start = isNegative ? 1 : 0;
  const firstColon = s.indexOf(':', start);
  const dot = s.indexOf('.', firstColon);
  return {
    isNegative,
    hours: digitsAt(s, start, firstColon - start),
    minutes: digitsAt(s, firstColon + 1, 2),
    seconds: digitsAt(s, firstColon + 4, 2),
    micros: dot < 0 ? 0 : microsOf(s.slice(dot + 1)),
  };
}

export interface UtcInstant {
  /** True for the zero TIMESTAMP `0000-00-00 00:00:00`. */
  isZero: boolean;
  epochSeconds: number;
  micros: number;
  fraction: string;
}

/** Reads a canonical TIMESTAMP (UTC wall clock) as an instant. */
export function parseUtcTimestamp(s: string): UtcInstant {
  const p = parseDateTime(s);
  if (p.year === 0 && p.month === 0 && p.day === 0) {
    return { isZero: true, epochSeconds: 0, micros: p.micros, fraction: p.fraction };
  }
  const epochSeconds =
    daysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.minute * 60 + p.second;
  return { isZero: false, epochSeconds, micros: p.micros, fraction: p.fraction };
}

/** `YYYY-MM-DD HH:MM:SS` of a wall-clock second count since 1970-01-01 00:00:00. */
export function formatWallClock(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const ofDay = seconds - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(ofDay / 3600);
  const minute = Math.floor((ofDay % 3600) / 60);
  const second = ofDay % 60;
  return `${pad4(year)}-${pad2(month)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad4(n: number): string {
  return n < 1000 ? `${n}`.padStart(4, '0') : `${n}`;
}

// Proleptic Gregorian day counts (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
