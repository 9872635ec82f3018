/**
 * Text the API sends is printed on the operator's terminal, so a task name (or any other
 * string the console stored) could carry escape sequences: clear the screen, set the window
 * title, move the cursor over earlier lines, or fake a line of output. Every string in an API
 * answer is cleaned once, where the answer is read (api-client.ts), before any of it is printed.
 */

/** Line breaks and tabs: kept as a space, so words on either side stay apart. */
const SPACING = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);

/**
 * C0 and C1 control characters (ESC, BEL, CSI …) and DEL, and the bidirectional marks and
 * overrides that can make text display in another order than it is stored.
 */
function isControl(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

export function stripControlCharacters(text: string): string {
  let clean = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (SPACING.has(code)) clean += ' ';
    else if (!isControl(code)) clean += char;
  }
  return clean;
}

/** A parsed JSON answer with every string (keys too) stripped of control characters. */
export function withoutControlCharacters(value: unknown): unknown {
  if (typeof value === 'string') return stripControlCharacters(value);
  if (Array.isArray(value)) return value.map(withoutControlCharacters);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        stripControlCharacters(key),
        withoutControlCharacters(inner),
      ]),
    );
  }
  return value;
}
