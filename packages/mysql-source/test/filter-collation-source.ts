/**
 * Reads the collation tables the filter evaluator emulates (src/filter-collation.ts) from a
 * running MariaDB, and renders them as src/filter-collation-data.ts. The weights are the
 * server's own (`WEIGHT_STRING`), the case maps its own `LOWER`/`UPPER`, so the evaluator
 * compares strings exactly as the server does. The conformance test reads them again and
 * checks the committed file still equals what the server says.
 *
 * Regenerate: `npx tsx packages/mysql-source/test/filter-collation-source.ts` (writes the file,
 * against TIDEWATER_TEST_SOURCE_URL or the local stack's MariaDB).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The 8-bit latin1 collations whose weights are one byte per character. */
export const LATIN1_COLLATIONS = [
  'latin1_swedish_ci',
  'latin1_general_ci',
  'latin1_general_cs',
  'latin1_german1_ci',
  'latin1_danish_ci',
  'latin1_spanish_ci',
] as const;

export interface CollationTables {
  server: string;
  /** `general_ci`: [code point, weight] for the BMP code points whose weight is not themselves. */
  generalCi: Array<[number, number]>;
  /** `unicode_ci` (UCA 4.0.0): the primary weights of every BMP code point but surrogates. */
  unicodeCi: number[][];
  /** utf8mb4/utf8mb3 `LOWER`/`UPPER`: [code point, mapped] where they differ. */
  unicodeLower: Array<[number, number]>;
  unicodeUpper: Array<[number, number]>;
  /** latin1 byte → Unicode code point (MySQL's latin1 is Windows-1252). */
  latin1ToUnicode: number[];
  latin1Weights: Record<string, number[]>;
  latin1Lower: number[];
  latin1Upper: number[];
}

const BMP_CODE_POINTS = 'FROM mysql.seq_0_to_65535 WHERE seq < 55296 OR seq > 57343 ORDER BY seq';

function hexWords(hex: string, width: number): number[] {
  const words: number[] = [];
  for (let index = 0; index < hex.length; index += width) {
    words.push(Number.parseInt(hex.slice(index, index + width), 16));
  }
  return words;
}

export async function readCollationTables(connection: Connection): Promise<CollationTables> {
  const [version] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
  const char = 'CONVERT(CHAR(seq USING utf32) USING utf8mb4)';
  const [unicodeRows] = await connection.query<RowDataPacket[]>(
    `SELECT seq,
            HEX(WEIGHT_STRING(${char} COLLATE utf8mb4_general_ci)) AS general,
            HEX(WEIGHT_STRING(${char} COLLATE utf8mb4_unicode_ci)) AS uca,
            HEX(CONVERT(LOWER(${char} COLLATE utf8mb4_general_ci) USING utf32)) AS lower,
            HEX(CONVERT(UPPER(${char} COLLATE utf8mb4_general_ci) USING utf32)) AS upper
       ${BMP_CODE_POINTS}`,
  );
  const tables: CollationTables = {
    server: String(version[0]?.version),
    generalCi: [],
    unicodeCi: [],
    unicodeLower: [],
    unicodeUpper: [],
    latin1ToUnicode: [],
    latin1Weights: {},
    latin1Lower: [],
    latin1Upper: [],
  };
  for (const row of unicodeRows) {
    const codePoint = Number(row.seq);
    const [general] = hexWords(String(row.general), 4);
    if (general !== codePoint) tables.generalCi.push([codePoint, general as number]);
    tables.unicodeCi.push(hexWords(String(row.uca), 4));
    const [lower] = hexWords(String(row.lower), 8);
    const [upper] = hexWords(String(row.upper), 8);
    if (lower !== codePoint) tables.unicodeLower.push([codePoint, lower as number]);
    if (upper !== codePoint) tables.unicodeUpper.push([codePoint, upper as number]);
  }
  const weights = LATIN1_COLLATIONS.map(
    (name) => `HEX(WEIGHT_STRING(CHAR(seq USING latin1) COLLATE ${name})) AS ${name}`,
  ).join(', ');
  const [latin1Rows] = await connection.query<RowDataPacket[]>(
    `SELECT seq, HEX(CONVERT(CHAR(seq USING latin1) USING utf32)) AS unicode,
            HEX(LOWER(CHAR(seq USING latin1))) AS lower, HEX(UPPER(CHAR(seq USING latin1))) AS upper,
            ${weights}
       FROM mysql.seq_0_to_255 ORDER BY seq`,
  );
  for (const name of LATIN1_COLLATIONS) tables.latin1Weights[name] = [];
  for (const row of latin1Rows) {
    tables.latin1ToUnicode.push(Number.parseInt(String(row.unicode), 16));
    tables.latin1Lower.push(Number.parseInt(String(row.lower), 16));
    tables.latin1Upper.push(Number.parseInt(String(row.upper), 16));
    for (const name of LATIN1_COLLATIONS) {
      const hex = String(row[name]);
      if (hex.length !== 2) throw new Error(`${name} gives byte ${String(row.seq)} weight ${hex}`);
      tables.latin1Weights[name]?.push(Number.parseInt(hex, 16));
    }
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------
// The text encoding of the tables (decoded by src/filter-collation.ts).

const b36 = (value: number): string => value.toString(36);

/** `delta:value` pairs, the delta from the previous code point, base 36, comma-separated. */
export function encodePairs(pairs: Array<[number, number]>): string {
  let previous = 0;
  return pairs
    .map(([codePoint, value]) => {
      const token = `${b36(codePoint - previous)}:${b36(value)}`;
      previous = codePoint;
      return token;
    })
    .join(',');
}

/**
 * The UCA weights of the BMP code points but surrogates, in order, as runs:
 * `s<len>.<w>`: len code points of one weight each, w, w+1, …;
 * `i<len>.<base>`: len code points of implicit weights [base + (cp >> 15), (cp & 0x7FFF) | 0x8000];
 * `x<w>.<w>…`: one code point with these weights (`x` alone: ignorable).
 */
export function encodeUca(weights: number[][]): string {
  const tokens: string[] = [];
  let index = 0;
  const codePointAt = (position: number): number =>
    position < 0xd800 ? position : position + 0x800;
  while (index < weights.length) {
    const codePoint = codePointAt(index);
    const own = weights[index] as number[];
    const implicitBase =
      own.length === 2 && own[1] === ((codePoint & 0x7fff) | 0x8000)
        ? (own[0] as number) - (codePoint >> 15)
        : null;
    let length = 1;
    if (implicitBase !== null) {
      while (index + length < weights.length) {
        const next = weights[index + length] as number[];
        const nextCodePoint = codePointAt(index + length);
        if (
          nextCodePoint !== codePoint + length ||
          next.length !== 2 ||
          next[0] !== implicitBase + (nextCodePoint >> 15) ||
          next[1] !== ((nextCodePoint & 0x7fff) | 0x8000)
        )
          break;
        length += 1;
      }
      tokens.push(`i${b36(length)}.${b36(implicitBase)}`);
    } else if (own.length === 1) {
      while (index + length < weights.length) {
        const next = weights[index + length] as number[];
        if (
          codePointAt(index + length) !== codePoint + length ||
          next.length !== 1 ||
          next[0] !== (own[0] as number) + length
        )
          break;
        length += 1;
      }
      tokens.push(`s${b36(length)}.${b36(own[0] as number)}`);
    } else {
      tokens.push(`x${own.map(b36).join('.')}`);
    }
    index += length;
  }
  return tokens.join(' ');
}

const hexBytes = (values: number[]): string =>
  values.map((value) => value.toString(16).padStart(2, '0')).join('');

/** Splits long data into lines a reader (and prettier) can live with. */
function chunked(text: string, indent = ''): string {
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += 90) {
    lines.push(`${indent}  '${text.slice(index, index + 90)}',`);
  }
  return `[\n${lines.join('\n')}\n${indent}].join('')`;
}

export function renderCollationData(tables: CollationTables): string {
  const latin1 = Object.entries(tables.latin1Weights)
    .map(([name, weights]) => `  ${name}: ${chunked(hexBytes(weights), '  ')},`)
    .join('\n');
  return `// Generated by packages/mysql-source/test/filter-collation-source.ts from ${tables.server}.
// Do not edit; regenerate it (see that file). Decoded by filter-collation.ts.

/** utf8mb4/utf8mb3 \`general_ci\`: BMP code points whose weight is not the code point itself. */
export const GENERAL_CI_WEIGHTS = ${chunked(encodePairs(tables.generalCi))};

/** utf8mb4/utf8mb3 \`unicode_ci\` (UCA 4.0.0) primary weights of the BMP, as runs. */
export const UNICODE_CI_WEIGHTS = ${chunked(encodeUca(tables.unicodeCi))};

/** utf8mb4/utf8mb3 \`LOWER\` where it changes the code point. */
export const UNICODE_LOWER = ${chunked(encodePairs(tables.unicodeLower))};

/** utf8mb4/utf8mb3 \`UPPER\` where it changes the code point. */
export const UNICODE_UPPER = ${chunked(encodePairs(tables.unicodeUpper))};

/** latin1 byte to Unicode code point, four hex digits each. */
export const LATIN1_TO_UNICODE = ${chunked(tables.latin1ToUnicode.map((value) => value.toString(16).padStart(4, '0')).join(''))};

/** latin1 \`LOWER\` and \`UPPER\`, byte to byte. */
export const LATIN1_LOWER = ${chunked(hexBytes(tables.latin1Lower))};
export const LATIN1_UPPER = ${chunked(hexBytes(tables.latin1Upper))};

/** One-byte weights of each byte, per latin1 collation. */
export const LATIN1_WEIGHTS: Record<string, string> = {
${latin1}
};
`;
}

async function main(): Promise<void> {
  const { connectSource } = await import('../src/connect');
  const { sourceOptions } = await import('./source-fixture');
  const source = await connectSource(sourceOptions());
  try {
    const tables = await readCollationTables(source.connection);
    const target = fileURLToPath(new URL('../src/filter-collation-data.ts', import.meta.url));
    await writeFile(target, renderCollationData(tables));
    process.stdout.write(`wrote ${target} from ${tables.server}\n`);
  } finally {
    await source.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
