/**
 * DTS Avro's `Character` value carries the column's bytes in the column's charset together
 * with the MySQL charset name (`docs/formats/dts-avro.md` §4: readers map the name to a JDK
 * charset and decode). Our canonical text is a JS string, so we encode it back:
 *
 * - `utf8`, `utf8mb3`, `utf8mb4`: UTF-8.
 * - `latin1` (MySQL's latin1 is Windows-1252 with the five undefined bytes passed through) and
 *   `ascii`: one byte per character. The 27 characters cp1252 places in 0x80–0x9F (`€`, `‚`, …)
 *   map back to those bytes, and U+0080–U+00FF map to the byte of the same value, so text
 *   decoded either as cp1252 or as ISO-8859-1 round-trips.
 * - `gbk`, `gb2312`, `gb18030`: two-byte GBK codes from a reverse table built once, on first
 *   use, from the platform's GBK decoder (`TextDecoder('gbk')`, WHATWG Encoding).
 * - Anything else, or text the charset cannot represent: UTF-8 bytes labelled `utf8mb4`, so a
 *   reader always decodes the right text (the label changes, never the text).
 */

export interface CharsetBytes {
  charset: string;
  bytes: Buffer;
}

const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80,
  0x201a: 0x82,
  0x0192: 0x83,
  0x201e: 0x84,
  0x2026: 0x85,
  0x2020: 0x86,
  0x2021: 0x87,
  0x02c6: 0x88,
  0x2030: 0x89,
  0x0160: 0x8a,
  0x2039: 0x8b,
  0x0152: 0x8c,
  0x017d: 0x8e,
  0x2018: 0x91,
  0x2019: 0x92,
  0x201c: 0x93,
  0x201d: 0x94,
  0x2022: 0x95,
  0x2013: 0x96,
  0x2014: 0x97,
  0x02dc: 0x98,
  0x2122: 0x99,
  0x0161: 0x9a,
  0x203a: 0x9b,
  0x0153: 0x9c,
  0x017e: 0x9e,
  0x0178: 0x9f,
};

function encodeSingleByte(text: string, limit: number): Buffer | null {
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= limit) {
      out[i] = c;
      continue;
    }
    const high = limit === 0xff ? CP1252_HIGH[c] : undefined;
    if (high === undefined) return null;
    out[i] = high;
  }
  return out;
}

let gbkTable: Map<number, number> | null = null;

function gbkReverseTable(): Map<number, number> {
  if (gbkTable !== null) return gbkTable;
  const decoder = new TextDecoder('gbk');
  const table = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      if (text.length !== 1 || text === '\ufffd') continue;
      const code = text.charCodeAt(0);
      if (!table.has(code)) table.set(code, (lead << 8) | trail);
    }
  }
  gbkTable = table;
  return table;
}

function encodeGbk(text: string): Buffer | null {
  const table = gbkReverseTable();
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    const code = table.get(c);
    if (code === undefined) return null;
    out[n++] = code >> 8;
    out[n++] = code & 0xff;
  }
  return out.subarray(0, n);
}

function utf8(text: string): CharsetBytes {
  return { charset: 'utf8mb4', bytes: Buffer.from(text, 'utf8') };
}

/**
 * True for the charsets whose bytes are the text's UTF-8 (`encodeCharset` keeps their name):
 * an encoder can write such text straight into its output instead of through a copy.
 */
export function isUtf8Charset(charset: string | null): charset is 'utf8mb4' | 'utf8mb3' | 'utf8' {
  return charset === 'utf8mb4' || charset === 'utf8mb3' || charset === 'utf8';
}

/** The column text as bytes in `charset` (a MySQL charset name), see the module comment. */
export function encodeCharset(text: string, charset: string | null): CharsetBytes {
  switch (charset) {
    case 'utf8mb4':
    case 'utf8mb3':
    case 'utf8':
      return { charset, bytes: Buffer.from(text, 'utf8') };
    case 'latin1':
    case 'ascii': {
      const bytes = encodeSingleByte(text, charset === 'ascii' ? 0x7f : 0xff);
      return bytes === null ? utf8(text) : { charset, bytes };
    }
    case 'gbk':
    case 'gb2312':
    case 'gb18030': {
      const bytes = encodeGbk(text);
      return bytes === null ? utf8(text) : { charset, bytes };
    }
    default:
      return utf8(text);
  }
}
