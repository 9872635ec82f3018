/**
 * String comparison as the server does it, for the collations the filter evaluator supports.
 *
 * A collation turns a string into a sequence of weights and compares the sequences
 * (MariaDB strings/ctype-*.c, `strnncollsp`): `general_ci` gives each BMP character one
 * weight from a table (supplementary characters all weigh U+FFFD), `unicode_ci` (UCA 4.0.0)
 * gives each BMP character zero or more primary weights (supplementary ones U+FFFD), `_bin`
 * weighs a character by its code point, and the 8-bit latin1 collations by a 256-entry table.
 * The tables are the server's own, read with `WEIGHT_STRING` (filter-collation-data.ts).
 *
 * PAD SPACE collations (every one but the `nopad` ones) compare as if the shorter string were
 * padded with spaces, so trailing spaces do not matter to `=` (but a trailing tab still sorts
 * before nothing). LIKE never pads and compares character by character: `general_ci` and the
 * latin1 collations by the one weight, `unicode_ci` by the character's weights, except that
 * characters outside the BMP compare by code point (`my_uca_charcmp`), `_bin` by code point.
 */
import {
  GENERAL_CI_WEIGHTS,
  LATIN1_LOWER,
  LATIN1_TO_UNICODE,
  LATIN1_UPPER,
  LATIN1_WEIGHTS,
  UNICODE_CI_WEIGHTS,
  UNICODE_LOWER,
  UNICODE_UPPER,
} from './filter-collation-data';

export type CollationCharset = 'utf8mb4' | 'utf8mb3' | 'latin1';

export interface Collation {
  readonly name: string;
  readonly charset: CollationCharset;
  readonly isPadSpace: boolean;
  /** Negative, zero or positive, as the server orders the two strings. */
  compare(a: string, b: string): number;
  /** Whether two characters (code points) match each other in LIKE. */
  isLikeEqual(a: number, b: number): boolean;
  lower(text: string): string;
  upper(text: string): string;
}

type WeightKind = 'general' | 'unicode' | 'unicode-bin' | 'latin1' | 'latin1-bin';

const REPLACEMENT_WEIGHT = 0xfffd;
const SPACE = 0x20;

// ---------------------------------------------------------------------------------------------
// The tables, decoded once on first use.

let generalWeights: Uint16Array | null = null;
let unicodeWeights: { offsets: Uint32Array; weights: Uint16Array } | null = null;
let unicodeLower: Map<number, number> | null = null;
let unicodeUpper: Map<number, number> | null = null;
let latin1Bytes: { toUnicode: number[]; fromUnicode: Map<number, number> } | null = null;

function decodePairs(text: string): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let codePoint = 0;
  for (const token of text.split(',')) {
    const [delta, value] = token.split(':') as [string, string];
    codePoint += Number.parseInt(delta, 36);
    pairs.push([codePoint, Number.parseInt(value, 36)]);
  }
  return pairs;
}

function general(): Uint16Array {
  if (generalWeights === null) {
    generalWeights = new Uint16Array(0x10000);
    for (let codePoint = 0; codePoint < 0x10000; codePoint += 1)
      generalWeights[codePoint] = codePoint;
    for (const [codePoint, weight] of decodePairs(GENERAL_CI_WEIGHTS))
      generalWeights[codePoint] = weight;
  }
  return generalWeights;
}

function unicode(): { offsets: Uint32Array; weights: Uint16Array } {
  if (unicodeWeights === null) {
    const offsets = new Uint32Array(0x10001);
    const weights: number[] = [];
    let codePoint = 0;
    const next = (): number => {
      const current = codePoint;
      offsets[current] = weights.length;
      codePoint = current === 0xd7ff ? 0xe000 : current + 1;
      return current;
    };
    for (const token of UNICODE_CI_WEIGHTS.split(' ')) {
      const kind = token[0];
      const numbers =
        token.length > 1
          ? token
              .slice(1)
              .split('.')
              .map((n) => parseInt(n, 36))
          : [];
      if (kind === 'x') {
        next();
        weights.push(...numbers);
      } else {
        const [length, value] = numbers as [number, number];
        for (let index = 0; index < length; index += 1) {
          const current = next();
          if (kind === 's') weights.push(value + index);
          else weights.push(value + (current >> 15), (current & 0x7fff) | 0x8000);
        }
      }
    }
    for (let surrogate = 0xd800; surrogate < 0xe000; surrogate += 1)
      offsets[surrogate] = offsets[0xe000] ?? 0;
    offsets[0x10000] = weights.length;
    unicodeWeights = { offsets, weights: Uint16Array.from(weights) };
  }
  return unicodeWeights;
}

function caseMaps(): { lower: Map<number, number>; upper: Map<number, number> } {
  unicodeLower ??= new Map(decodePairs(UNICODE_LOWER));
  unicodeUpper ??= new Map(decodePairs(UNICODE_UPPER));
  return { lower: unicodeLower, upper: unicodeUpper };
}

function latin1(): { toUnicode: number[]; fromUnicode: Map<number, number> } {
  if (latin1Bytes === null) {
    const toUnicode: number[] = [];
    for (let index = 0; index < LATIN1_TO_UNICODE.length; index += 4)
      toUnicode.push(Number.parseInt(LATIN1_TO_UNICODE.slice(index, index + 4), 16));
    latin1Bytes = {
      toUnicode,
      fromUnicode: new Map(toUnicode.map((codePoint, byte) => [codePoint, byte])),
    };
  }
  return latin1Bytes;
}

function hexTable(hex: string): number[] {
  const table: number[] = [];
  for (let index = 0; index < hex.length; index += 2)
    table.push(Number.parseInt(hex.slice(index, index + 2), 16));
  return table;
}

// ---------------------------------------------------------------------------------------------
// Charsets.

/** The latin1 byte of a character, or undefined when latin1 cannot hold it. */
export function latin1ByteOf(codePoint: number): number | undefined {
  return latin1().fromUnicode.get(codePoint);
}

/** Whether a charset holds every character of the text (the server refuses the conversion otherwise). */
export function canEncode(charset: CollationCharset, text: string): boolean {
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    if (charset === 'latin1' && latin1ByteOf(codePoint) === undefined) return false;
    if (charset === 'utf8mb3' && codePoint > 0xffff) return false;
  }
  return true;
}

/** Bytes of the text in the charset (`LENGTH`). */
export function byteLengthIn(charset: CollationCharset, text: string): number {
  return charset === 'latin1' ? codePointCount(text) : Buffer.byteLength(text, 'utf8');
}

export function codePointCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}

export function codePointsOf(text: string): number[] {
  const codePoints: number[] = [];
  for (const char of text) codePoints.push(char.codePointAt(0) as number);
  return codePoints;
}

// ---------------------------------------------------------------------------------------------
// Collations.

interface CollationSpec {
  charset: CollationCharset;
  kind: WeightKind;
  isPadSpace: boolean;
  latin1Table?: string;
}

const SPECS = new Map<string, CollationSpec>();
for (const charset of ['utf8mb4', 'utf8mb3'] as const) {
  SPECS.set(`${charset}_general_ci`, { charset, kind: 'general', isPadSpace: true });
  SPECS.set(`${charset}_general_nopad_ci`, { charset, kind: 'general', isPadSpace: false });
  SPECS.set(`${charset}_unicode_ci`, { charset, kind: 'unicode', isPadSpace: true });
  SPECS.set(`${charset}_unicode_nopad_ci`, { charset, kind: 'unicode', isPadSpace: false });
  SPECS.set(`${charset}_bin`, { charset, kind: 'unicode-bin', isPadSpace: true });
  SPECS.set(`${charset}_nopad_bin`, { charset, kind: 'unicode-bin', isPadSpace: false });
}
for (const table of Object.keys(LATIN1_WEIGHTS)) {
  SPECS.set(table, { charset: 'latin1', kind: 'latin1', isPadSpace: true, latin1Table: table });
}
SPECS.set('latin1_swedish_nopad_ci', {
  charset: 'latin1',
  kind: 'latin1',
  isPadSpace: false,
  latin1Table: 'latin1_swedish_ci',
});
SPECS.set('latin1_bin', { charset: 'latin1', kind: 'latin1-bin', isPadSpace: true });
SPECS.set('latin1_nopad_bin', { charset: 'latin1', kind: 'latin1-bin', isPadSpace: false });

/** The names of the collations the evaluator emulates. */
export const SUPPORTED_COLLATIONS: readonly string[] = [...SPECS.keys()];

const collations = new Map<string, Collation>();

/** MySQL spells utf8mb3 `utf8` in older servers and in some names. */
export function normalizeCollationName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith('utf8_') ? `utf8mb3_${lower.slice(5)}` : lower;
}

/** The collation, or null when the evaluator does not emulate it. */
export function findCollation(name: string): Collation | null {
  const normalized = normalizeCollationName(name);
  const cached = collations.get(normalized);
  if (cached !== undefined) return cached;
  const spec = SPECS.get(normalized);
  if (spec === undefined) return null;
  const collation = makeCollation(normalized, spec);
  collations.set(normalized, collation);
  return collation;
}

function makeCollation(name: string, spec: CollationSpec): Collation {
  const weightsOf = weigher(spec);
  const spaceWeights = weightsOf(String.fromCodePoint(SPACE));
  const padWeight = spec.isPadSpace ? (spaceWeights[0] ?? null) : null;
  const isLikeEqual = likeComparer(spec);
  const { lower, upper } = caseMappers(spec.charset);
  return {
    name,
    charset: spec.charset,
    isPadSpace: spec.isPadSpace,
    compare: (a, b) => compareWeights(weightsOf(a), weightsOf(b), padWeight),
    isLikeEqual,
    lower,
    upper,
  };
}

function weigher(spec: CollationSpec): (text: string) => number[] {
  switch (spec.kind) {
    case 'general': {
      const table = general();
      return (text) =>
        codePointsOf(text).map((cp) => (cp > 0xffff ? REPLACEMENT_WEIGHT : (table[cp] as number)));
    }
    case 'unicode': {
      const { offsets, weights } = unicode();
      return (text) => {
        const out: number[] = [];
        for (const cp of codePointsOf(text)) {
          if (cp > 0xffff) {
            out.push(REPLACEMENT_WEIGHT);
            continue;
          }
          for (let index = offsets[cp] as number; index < (offsets[cp + 1] as number); index += 1)
            out.push(weights[index] as number);
        }
        return out;
      };
    }
    case 'unicode-bin':
      return codePointsOf;
    case 'latin1': {
      const table = hexTable(LATIN1_WEIGHTS[spec.latin1Table as string] as string);
      return (text) => codePointsOf(text).map((cp) => table[latin1ByteOf(cp) ?? 0x3f] as number);
    }
    case 'latin1-bin':
      return (text) => codePointsOf(text).map((cp) => latin1ByteOf(cp) ?? 0x3f);
  }
}

/**
 * Compares weight sequences; with a pad weight (PAD SPACE), the rest of the longer sequence is
 * compared with that weight (MariaDB strcoll.inl / `my_strnncollsp_*`).
 */
function compareWeights(a: number[], b: number[], padWeight: number | null): number {
  const common = Math.min(a.length, b.length);
  for (let index = 0; index < common; index += 1) {
    const difference = (a[index] as number) - (b[index] as number);
    if (difference !== 0) return difference;
  }
  if (a.length === b.length) return 0;
  if (padWeight === null) return a.length - b.length;
  const [longer, sign] = a.length > b.length ? [a, 1] : [b, -1];
  for (let index = common; index < longer.length; index += 1) {
    const difference = (longer[index] as number) - padWeight;
    if (difference !== 0) return sign * difference;
  }
  return 0;
}

function likeComparer(spec: CollationSpec): (a: number, b: number) => boolean {
  switch (spec.kind) {
    case 'general': {
      const table = general();
      const weightOf = (cp: number): number =>
        cp > 0xffff ? REPLACEMENT_WEIGHT : (table[cp] as number);
      return (a, b) => weightOf(a) === weightOf(b);
    }
    case 'unicode': {
      const { offsets, weights } = unicode();
      return (a, b) => {
        if (a === b) return true;
        // my_uca_charcmp: characters without a weight table entry compare by code point.
        if (a > 0xffff || b > 0xffff) return false;
        const startA = offsets[a] as number;
        const startB = offsets[b] as number;
        const length = (offsets[a + 1] as number) - startA;
        if (length !== (offsets[b + 1] as number) - startB) return false;
        for (let index = 0; index < length; index += 1) {
          if (weights[startA + index] !== weights[startB + index]) return false;
        }
        return true;
      };
    }
    case 'unicode-bin':
    case 'latin1-bin':
      return (a, b) => a === b;
    case 'latin1': {
      const table = hexTable(LATIN1_WEIGHTS[spec.latin1Table as string] as string);
      return (a, b) => table[latin1ByteOf(a) ?? 0x3f] === table[latin1ByteOf(b) ?? 0x3f];
    }
  }
}

function caseMappers(charset: CollationCharset): {
  lower: (text: string) => string;
  upper: (text: string) => string;
} {
  if (charset === 'latin1') {
    const mapWith = (hex: string): ((text: string) => string) => {
      const table = hexTable(hex);
      return (text) => {
        const { toUnicode } = latin1();
        let out = '';
        for (const cp of codePointsOf(text)) {
          const byte = latin1ByteOf(cp);
          out += String.fromCodePoint(
            byte === undefined ? cp : (toUnicode[table[byte] as number] as number),
          );
        }
        return out;
      };
    };
    return { lower: mapWith(LATIN1_LOWER), upper: mapWith(LATIN1_UPPER) };
  }
  const mapWith =
    (which: 'lower' | 'upper'): ((text: string) => string) =>
    (text) => {
      const map = caseMaps()[which];
      let out = '';
      for (const cp of codePointsOf(text)) out += String.fromCodePoint(map.get(cp) ?? cp);
      return out;
    };
  return { lower: mapWith('lower'), upper: mapWith('upper') };
}

/** Weights of a string as `WEIGHT_STRING` gives them (for the conformance test). */
export function weightsOf(collationName: string, text: string): number[] {
  const spec = SPECS.get(normalizeCollationName(collationName));
  if (spec === undefined) throw new Error(`collation ${collationName} is not emulated`);
  return weigher(spec)(text);
}
