/**
 * Compares two sequences of Canal FlatMessages (the real Canal's and Tidewater's for the same
 * binlog range) message by message and field by field, except `id`, `ts` and `es` (batch
 * number, send time and event time differ by construction), and sorts every difference into
 * a declared deviation or an unexplained one.
 *
 * Messages are paired by a longest common subsequence over `type|database|table|isDdl`, so a
 * message only one side writes shows as such instead of shifting every later pair.
 */

export interface FlatMessage {
  data: Array<Record<string, string | null>> | null;
  database: string;
  es: number;
  gtid: string;
  id: number;
  isDdl: boolean;
  mysqlType: Record<string, string> | null;
  old: Array<Record<string, string | null>> | null;
  pkNames: string[] | null;
  sql: string;
  sqlType: Record<string, number> | null;
  table: string;
  ts: number;
  type: string;
  /** Set by canal-dump when Canal's serialiser failed on this message (it has no other fields). */
  canalError?: string;
}

const ignoredFields = new Set(['id', 'ts', 'es']);

export type Difference =
  | {
      /** `canal-failed`: Canal could not write the message Tidewater wrote. */
      kind: 'only-canal' | 'only-tidewater' | 'canal-failed';
      /** Index in that side's sequence. */
      index: number;
      message: FlatMessage;
    }
  | {
      kind: 'field';
      canalIndex: number;
      tidewaterIndex: number;
      message: FlatMessage;
      /** `data`, `old`, `sqlType`, `mysqlType`, `pkNames`, `gtid`, `sql`, … */
      field: string;
      /** `data[1].price`, `sqlType.price`, `gtid`. */
      path: string;
      /** The column for per-column fields, else null. */
      column: string | null;
      /** Canal's `mysqlType` of that column (Tidewater's when Canal has none). */
      mysqlType: string | null;
      canal: unknown;
      tidewater: unknown;
    };

/** A difference the suite accepts, with its reason; read from canal-deviations.json. */
export interface Deviation {
  id: string;
  /** `accepted` (a documented deviation) or `being fixed in issue 11` (to be removed). */
  status: string;
  reason: string;
  /** For accepted deviations: text of the row in packages/formats/README.md's table. */
  readme?: string;
  /** Why the scenario may not show this deviation yet; without it, an unseen one fails. */
  mayBeAbsent?: string;
  match: DeviationMatch;
}

export interface DeviationMatch {
  kind: Difference['kind'];
  /** For `field` differences: the field(s). */
  field?: string[];
  /**
   * Regular expressions (anchored by the author), tested against the difference: `column`,
   * `mysqlType` and `type` in any letter case, the values exactly.
   */
  column?: string;
  mysqlType?: string;
  type?: string;
  sql?: string;
  canal?: string;
  tidewater?: string;
  /** A named relation the two values must satisfy (see `relations`). */
  relation?: keyof typeof relations;
}

const keyOf = (message: FlatMessage) =>
  `${message.type}|${message.database}|${message.table}|${String(message.isDdl)}`;

/** Pairs of indexes present on both sides, by longest common subsequence of message keys. */
function align(canal: FlatMessage[], tidewater: FlatMessage[]): Array<[number, number]> {
  const rows = canal.length + 1;
  const columns = tidewater.length + 1;
  const lengths = new Uint32Array(rows * columns);
  for (let i = canal.length - 1; i >= 0; i--) {
    for (let j = tidewater.length - 1; j >= 0; j--) {
      lengths[i * columns + j] =
        keyOf(canal[i]!) === keyOf(tidewater[j]!)
          ? lengths[(i + 1) * columns + j + 1]! + 1
          : Math.max(lengths[(i + 1) * columns + j]!, lengths[i * columns + j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < canal.length && j < tidewater.length) {
    if (keyOf(canal[i]!) === keyOf(tidewater[j]!)) {
      pairs.push([i, j]);
      i += 1;
      j += 1;
    } else if (lengths[(i + 1) * columns + j]! >= lengths[i * columns + j + 1]!) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return pairs;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function compareMessages(
  canal: FlatMessage,
  tidewater: FlatMessage,
  canalIndex: number,
  tidewaterIndex: number,
): Difference[] {
  if (canal.canalError !== undefined) {
    return [{ kind: 'canal-failed', index: canalIndex, message: canal }];
  }
  const differences: Difference[] = [];
  const typeOf = (column: string) =>
    canal.mysqlType?.[column] ?? tidewater.mysqlType?.[column] ?? null;
  const add = (field: string, path: string, column: string | null, a: unknown, b: unknown) =>
    differences.push({
      kind: 'field',
      canalIndex,
      tidewaterIndex,
      message: canal,
      field,
      path,
      column,
      mysqlType: column === null ? null : typeOf(column),
      canal: a,
      tidewater: b,
    });

  const compareMap = (
    field: string,
    prefix: string,
    a: Record<string, unknown> | null | undefined,
    b: Record<string, unknown> | null | undefined,
  ) => {
    if (a === null || a === undefined || b === null || b === undefined) {
      if (!same(a ?? null, b ?? null)) add(field, prefix, null, a ?? null, b ?? null);
      return;
    }
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    for (const key of new Set([...keysA, ...keysB])) {
      if (!(key in a) || !(key in b) || !same(a[key], b[key])) {
        add(
          field,
          `${prefix}.${key}`,
          key,
          key in a ? a[key] : '(absent)',
          key in b ? b[key] : '(absent)',
        );
      }
    }
    const common = keysA.filter((key) => key in b);
    if (
      !same(
        common,
        keysB.filter((key) => key in a),
      )
    ) {
      add(field, `${prefix} key order`, null, keysA, keysB);
    }
  };

  const compareRows = (field: 'data' | 'old') => {
    const a = canal[field];
    const b = tidewater[field];
    if (a === null || b === null || a.length !== b.length) {
      if (a === null || b === null) {
        if (!same(a, b)) add(field, field, null, a, b);
        return;
      }
      add(field, `${field}.length`, null, a.length, b.length);
    }
    for (let row = 0; row < Math.min(a.length, b.length); row++) {
      compareMap(field, `${field}[${row}]`, a[row], b[row]);
    }
  };

  for (const field of new Set([...Object.keys(canal), ...Object.keys(tidewater)])) {
    if (ignoredFields.has(field)) continue;
    switch (field) {
      case 'data':
      case 'old':
        compareRows(field);
        break;
      case 'sqlType':
      case 'mysqlType':
        compareMap(field, field, canal[field], tidewater[field]);
        break;
      default: {
        const a = (canal as unknown as Record<string, unknown>)[field];
        const b = (tidewater as unknown as Record<string, unknown>)[field];
        if (!same(a, b)) add(field, field, null, a ?? '(absent)', b ?? '(absent)');
      }
    }
  }
  return differences;
}

/** Every difference between the two sequences. */
export function compareFlatMessages(canal: FlatMessage[], tidewater: FlatMessage[]): Difference[] {
  const pairs = align(canal, tidewater);
  const differences: Difference[] = [];
  const pairedCanal = new Set(pairs.map(([i]) => i));
  const pairedTidewater = new Set(pairs.map(([, j]) => j));
  canal.forEach((message, index) => {
    if (!pairedCanal.has(index)) differences.push({ kind: 'only-canal', index, message });
  });
  tidewater.forEach((message, index) => {
    if (!pairedTidewater.has(index)) differences.push({ kind: 'only-tidewater', index, message });
  });
  for (const [i, j] of pairs) differences.push(...compareMessages(canal[i]!, tidewater[j]!, i, j));
  return differences;
}

/** Decimal text without insignificant zeros: `5.00` and `5.0` and `5` are the same number. */
function decimalKey(text: string): string | null {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const whole = match[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const zero = whole === '0' && fraction === '';
  return `${zero ? '' : match[1]}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

function withoutTrailingNul(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end -= 1;
  return text.slice(0, end);
}

/** Relations a deviation can require between Canal's and Tidewater's values. */
export const relations = {
  /** The same decimal number written with a different number of fraction digits. */
  'same-decimal': (canal: unknown, tidewater: unknown) =>
    typeof canal === 'string' &&
    typeof tidewater === 'string' &&
    decimalKey(canal) !== null &&
    decimalKey(canal) === decimalKey(tidewater),
  /** Canal's text is Tidewater's without its trailing NUL padding. */
  'without-trailing-nul': (canal: unknown, tidewater: unknown) =>
    typeof canal === 'string' &&
    typeof tidewater === 'string' &&
    canal !== tidewater &&
    withoutTrailingNul(tidewater) === canal,
  /** The same double-precision number in a different decimal text. */
  'same-number': (canal: unknown, tidewater: unknown) =>
    typeof canal === 'string' &&
    typeof tidewater === 'string' &&
    Number(canal) === Number(tidewater) &&
    !Number.isNaN(Number(canal)),
  /** The same single-precision number (a FLOAT) in a different decimal text. */
  'same-float32': (canal: unknown, tidewater: unknown) =>
    typeof canal === 'string' &&
    typeof tidewater === 'string' &&
    !Number.isNaN(Number(canal)) &&
    Math.fround(Number(canal)) === Math.fround(Number(tidewater)),
  /** The same JSON document in a different text. */
  'same-json': (canal: unknown, tidewater: unknown) => {
    if (typeof canal !== 'string' || typeof tidewater !== 'string') return false;
    try {
      return same(sortKeys(JSON.parse(canal)), sortKeys(JSON.parse(tidewater)));
    } catch (error) {
      if (error instanceof SyntaxError) return false;
      throw error;
    }
  },
  /** The same type name in a different letter case or spacing. */
  'same-type-spelling': (canal: unknown, tidewater: unknown) =>
    typeof canal === 'string' &&
    typeof tidewater === 'string' &&
    canal.replace(/\s+/g, ' ').toLowerCase() === tidewater.replace(/\s+/g, ' ').toLowerCase(),
} satisfies Record<string, (canal: unknown, tidewater: unknown) => boolean>;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function matches(deviation: Deviation, difference: Difference): boolean {
  const rule = deviation.match;
  if (rule.kind !== difference.kind) return false;
  // Names and types match in any letter case, values exactly.
  const test = (pattern: string | undefined, value: unknown, flags = 'su') =>
    pattern === undefined || new RegExp(pattern, flags).test(text(value ?? ''));
  if (!test(rule.type, difference.message.type, 'isu') || !test(rule.sql, difference.message.sql)) {
    return false;
  }
  if (difference.kind === 'canal-failed') return test(rule.canal, difference.message.canalError);
  if (difference.kind !== 'field') return true;
  return (
    (rule.field === undefined || rule.field.includes(difference.field)) &&
    test(rule.column, difference.column, 'isu') &&
    test(rule.mysqlType, difference.mysqlType, 'isu') &&
    test(rule.canal, difference.canal) &&
    test(rule.tidewater, difference.tidewater) &&
    (rule.relation === undefined ||
      relations[rule.relation](difference.canal, difference.tidewater))
  );
}

export interface Classified {
  /** Deviation id → the differences it explains. */
  explained: Map<string, Difference[]>;
  unexplained: Difference[];
}

export function classifyDifferences(
  differences: Difference[],
  deviations: Deviation[],
): Classified {
  const explained = new Map<string, Difference[]>(deviations.map((d) => [d.id, []]));
  const unexplained: Difference[] = [];
  for (const difference of differences) {
    const deviation = deviations.find((candidate) => matches(candidate, difference));
    if (deviation) explained.get(deviation.id)!.push(difference);
    else unexplained.push(difference);
  }
  return { explained, unexplained };
}

function clip(value: unknown, length = 120): string {
  const shown = JSON.stringify(value) ?? 'undefined';
  return shown.length > length ? `${shown.slice(0, length)}…` : shown;
}

/** One line per difference, for a failure message or a summary. */
export function describeDifference(difference: Difference): string {
  const message = difference.message;
  const where = `${message.type} ${message.database}.${message.table}`;
  switch (difference.kind) {
    case 'canal-failed':
      return `Canal could not write #${difference.index}: ${where}: ${clip(message.canalError, 200)}`;
    case 'only-canal':
    case 'only-tidewater':
      return `only in ${difference.kind === 'only-canal' ? 'Canal' : 'Tidewater'} #${difference.index}: ${where} isDdl=${String(message.isDdl)} sql=${clip(message.sql, 80)}`;
    case 'field':
      return `Canal #${difference.canalIndex} / Tidewater #${difference.tidewaterIndex} ${where} ${difference.path}${difference.mysqlType ? ` (${difference.mysqlType})` : ''}: Canal ${clip(difference.canal)} · Tidewater ${clip(difference.tidewater)}`;
  }
}
