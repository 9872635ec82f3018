/**
 * Character sets: collation ids from the binlog to charset names, and bytes to strings.
 *
 * The ids are the server's collation numbers (`information_schema.COLLATIONS.ID`, identical in
 * MySQL and MariaDB below 256; MySQL 8's utf8mb4_0900 family sits at 255 and up). Text is decoded
 * the way the server converts it to utf8mb4 for a `SELECT`, so a binlog value equals the value a
 * snapshot reads: MySQL's `latin1` is Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D pass through as
 * U+0081…, as the WHATWG decoder also does), `gbk` uses the WHATWG GBK decoder.
 */

const COLLATIONS_BY_CHARSET: Record<string, number[]> = {
  big5: [1, 84],
  latin2: [2, 9, 21, 27, 77],
  dec8: [3, 69],
  cp850: [4, 80],
  latin1: [5, 8, 15, 31, 47, 48, 49, 94],
  hp8: [6, 72],
  koi8r: [7, 74],
  swe7: [10, 82],
  ascii: [11, 65],
  ujis: [12, 91],
  sjis: [13, 88],
  cp1251: [14, 23, 50, 51, 52],
  hebrew: [16, 71],
  tis620: [18, 89],
  euckr: [19, 85],
  latin7: [20, 41, 42, 79],
  koi8u: [22, 75],
  gb2312: [24, 86],
  greek: [25, 70],
  cp1250: [26, 34, 44, 66, 99],
  gbk: [28, 87],
  cp1257: [29, 58, 59],
  latin5: [30, 78],
  armscii8: [32, 64],
  utf8mb3: [33, 76, 83, 223],
  ucs2: [35, 90, 159],
  cp866: [36, 68],
  keybcs2: [37, 73],
  macce: [38, 43],
  macroman: [39, 53],
  cp852: [40, 81],
  utf8mb4: [45, 46],
  utf16: [54, 55],
  utf16le: [56, 62],
  cp1256: [57, 67],
  utf32: [60, 61],
  binary: [63],
  geostd8: [92, 93],
  cp932: [95, 96],
  eucjpms: [97, 98],
  gb18030: [248, 249, 250],
};

const CHARSET_BY_COLLATION = new Map<number, string>();
for (const [charset, ids] of Object.entries(COLLATIONS_BY_CHARSET)) {
  for (const id of ids) CHARSET_BY_COLLATION.set(id, charset);
}
// UCA collation ranges (MySQL and MariaDB share these numbers).
for (let id = 101; id <= 124; id += 1) CHARSET_BY_COLLATION.set(id, 'utf16');
for (let id = 128; id <= 151; id += 1) CHARSET_BY_COLLATION.set(id, 'ucs2');
for (let id = 160; id <= 183; id += 1) CHARSET_BY_COLLATION.set(id, 'utf32');
for (let id = 192; id <= 215; id += 1) CHARSET_BY_COLLATION.set(id, 'utf8mb3');
for (let id = 224; id <= 247; id += 1) CHARSET_BY_COLLATION.set(id, 'utf8mb4');
// MySQL 8.0's utf8mb4_0900 and later collations.
for (let id = 255; id <= 323; id += 1) CHARSET_BY_COLLATION.set(id, 'utf8mb4');
// MariaDB's UCA 14.0.0 and "nopad" collations (ids 576+ and 1024+ mirror the base ids).
for (let id = 576; id <= 578; id += 1) CHARSET_BY_COLLATION.set(id, 'utf8mb3');
for (let id = 608; id <= 610; id += 1) CHARSET_BY_COLLATION.set(id, 'utf8mb4');
for (const [id, charset] of [...CHARSET_BY_COLLATION]) {
  if (id < 256 && !CHARSET_BY_COLLATION.has(id + 1024))
    CHARSET_BY_COLLATION.set(id + 1024, charset);
}
CHARSET_BY_COLLATION.set(1069, 'utf8mb4');
CHARSET_BY_COLLATION.set(1070, 'utf8mb4');

/** The charset of a collation id, or null when the id is not one we know. */
export function charsetOfCollation(collationId: number): string | null {
  return CHARSET_BY_COLLATION.get(collationId) ?? null;
}

/** The charset a collation name belongs to: `utf8mb4_general_ci` → `utf8mb4`. */
export function charsetOfCollationName(collation: string): string {
  const name = collation.toLowerCase();
  if (name === 'binary') return 'binary';
  const charset = name.slice(0, name.indexOf('_') === -1 ? name.length : name.indexOf('_'));
  return normalizeCharset(charset);
}

/** MySQL spells utf8mb3 three ways; the rest of the code sees one. */
export function normalizeCharset(charset: string): string {
  const name = charset.toLowerCase();
  if (name === 'utf8' || name === 'utf8mb3') return 'utf8mb3';
  return name;
}

/** Decodes `bytes[start, end)` to a string. */
export type TextDecodeFn = (bytes: Buffer, start: number, end: number) => string;

const decodeUtf8: TextDecodeFn = (bytes, start, end) => bytes.toString('utf8', start, end);

const decodeAscii: TextDecodeFn = (bytes, start, end) => bytes.toString('latin1', start, end);

/**
 * Windows-1252's 0x80–0x9F (WHATWG encoding index windows-1252; 0x81, 0x8D, 0x8F, 0x90, 0x9D
 * stay C1 controls, as MySQL maps them). Spelled out because Node 20's TextDecoder decodes
 * 'windows-1252' as ISO-8859-1.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** Windows-1252 differs from ISO-8859-1 only in 0x80–0x9F; the common case takes the fast path. */
const decodeLatin1: TextDecodeFn = (bytes, start, end) => {
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i]!;
    if (byte >= 0x80 && byte <= 0x9f) {
      let text = bytes.toString('latin1', start, i);
      for (let j = i; j < end; j += 1) {
        const b = bytes[j]!;
        text += String.fromCharCode(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b);
      }
      return text;
    }
  }
  return bytes.toString('latin1', start, end);
};

function whatwgDecoder(label: string): TextDecodeFn {
  const decoder = new TextDecoder(label);
  return (bytes, start, end) => {
    for (let i = start; i < end; i += 1) {
      if (bytes[i]! >= 0x80) return decoder.decode(bytes.subarray(start, end));
    }
    return bytes.toString('latin1', start, end);
  };
}

const decodeUtf32: TextDecodeFn = (bytes, start, end) => {
  let text = '';
  for (let i = start; i + 4 <= end; i += 4) text += String.fromCodePoint(bytes.readUInt32BE(i));
  return text;
};

const WHATWG_LABELS: Record<string, string> = {
  gbk: 'gbk',
  gb2312: 'gbk',
  gb18030: 'gb18030',
  big5: 'big5',
  sjis: 'shift_jis',
  cp932: 'shift_jis',
  ujis: 'euc-jp',
  eucjpms: 'euc-jp',
  euckr: 'euc-kr',
  cp1250: 'windows-1250',
  cp1251: 'windows-1251',
  cp1256: 'windows-1256',
  cp1257: 'windows-1257',
  latin2: 'iso-8859-2',
  greek: 'iso-8859-7',
  hebrew: 'iso-8859-8',
  latin5: 'windows-1254',
  latin7: 'iso-8859-13',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  cp866: 'ibm866',
  macroman: 'macintosh',
  tis620: 'windows-874',
};

const decoders = new Map<string, TextDecodeFn>();

/** The decoder for a charset; unknown charsets decode as UTF-8 (the server's default). */
export function textDecoderFor(charset: string | null): TextDecodeFn {
  const name = normalizeCharset(charset ?? 'utf8mb4');
  const cached = decoders.get(name);
  if (cached) return cached;
  let decode: TextDecodeFn;
  if (name === 'utf8mb4' || name === 'utf8mb3') decode = decodeUtf8;
  else if (name === 'latin1') decode = decodeLatin1;
  else if (name === 'ascii' || name === 'binary') decode = decodeAscii;
  else if (name === 'ucs2' || name === 'utf16') {
    const utf16 = new TextDecoder('utf-16be');
    decode = (bytes, start, end) => utf16.decode(bytes.subarray(start, end));
  } else if (name === 'utf16le') {
    decode = (bytes, start, end) => bytes.toString('utf16le', start, end);
  } else if (name === 'utf32') decode = decodeUtf32;
  else if (WHATWG_LABELS[name]) decode = whatwgDecoder(WHATWG_LABELS[name]);
  else decode = decodeUtf8;
  decoders.set(name, decode);
  return decode;
}
