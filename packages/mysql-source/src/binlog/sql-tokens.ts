/**
 * A tokenizer for the DDL statements found in Query events (MySQL and MariaDB lexical rules:
 * backtick identifiers with doubled backticks, quoted strings with backslash escapes, `--`, `#`
 * and `/* *\/` comments). Executable comments (`/*!50100 … *\/`, MariaDB's `/*M!100100 … *\/`)
 * contribute their content, as the server executes it; other comments — PolarDB-X's
 * `/*POLARX_ORIGIN_SQL=…*\/ /*TSO=…*\/` among them — are dropped.
 */

export type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  type: TokenType;
  /** Identifier or string content (unquoted, unescaped), number text, or the punctuation. */
  value: string;
  /** Upper-cased `value` for words, to compare with keywords; "" otherwise. */
  keyword: string;
}

const WORD_CHAR = /[\p{L}\p{N}_$\u0080-\uffff]/u;

function isWordChar(char: string): boolean {
  return WORD_CHAR.test(char);
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const length = sql.length;
  while (i < length) {
    const char = sql[i]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f') {
      i += 1;
      continue;
    }
    if (char === '#' || (char === '-' && sql[i + 1] === '-' && /[\s]/.test(sql[i + 2] ?? ' '))) {
      while (i < length && sql[i] !== '\n') i += 1;
      continue;
    }
    if (char === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close === -1 ? length : close;
      const executable = /^\/\*M?!(\d{5,6})?/.exec(sql.slice(i, Math.min(end, i + 10)));
      if (executable) {
        // Splice the comment's content in place of the comment.
        const inner = sql.slice(i + executable[0].length, end);
        tokens.push(...tokenize(inner));
      }
      i = close === -1 ? length : close + 2;
      continue;
    }
    if (char === '`') {
      let value = '';
      i += 1;
      while (i < length) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') {
            value += '`';
            i += 2;
            continue;
          }
          break;
        }
        value += sql[i];
        i += 1;
      }
      i += 1;
      tokens.push({ type: 'quoted', value, keyword: '' });
      continue;
    }
    if (char === "'" || char === '"') {
      const quote = char;
      let value = '';
      i += 1;
      while (i < length) {
        const c = sql[i]!;
        if (c === '\\' && i + 1 < length) {
          value += unescape(sql[i + 1]!);
          i += 2;
          continue;
        }
        if (c === quote) {
          if (sql[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          break;
        }
        value += c;
        i += 1;
      }
      i += 1;
      tokens.push({ type: 'string', value, keyword: '' });
      continue;
    }
    if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      let j = i;
      while (j < length && /[0-9.]/.test(sql[j]!)) j += 1;
      if (/[eE]/.test(sql[j] ?? '') && /[-+0-9]/.test(sql[j + 1] ?? '')) {
        j += 2;
        while (j < length && /[0-9]/.test(sql[j]!)) j += 1;
      }
      // Identifiers may start with digits (`1abc`): keep reading word characters.
      if (j < length && isWordChar(sql[j]!) && !/[0-9]/.test(sql[j]!)) {
        while (j < length && isWordChar(sql[j]!)) j += 1;
        const value = sql.slice(i, j);
        tokens.push({ type: 'word', value, keyword: value.toUpperCase() });
      } else {
        tokens.push({ type: 'number', value: sql.slice(i, j), keyword: '' });
      }
      i = j;
      continue;
    }
    if (isWordChar(char)) {
      let j = i + 1;
      while (j < length && isWordChar(sql[j]!)) j += 1;
      const value = sql.slice(i, j);
      tokens.push({ type: 'word', value, keyword: value.toUpperCase() });
      i = j;
      continue;
    }
    tokens.push({ type: 'punct', value: char, keyword: '' });
    i += 1;
  }
  return tokens;
}

function unescape(char: string): string {
  switch (char) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'Z':
      return '\x1a';
    default:
      return char;
  }
}

/** A cursor over tokens with the small vocabulary the DDL parser needs. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  get position(): number {
    return this.index;
  }

  set position(value: number) {
    this.index = value;
  }

  get isAtEnd(): boolean {
    return this.index >= this.tokens.length || this.peekPunct(';');
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  next(): Token | undefined {
    const token = this.tokens[this.index];
    if (token) this.index += 1;
    return token;
  }

  /** Whether the next tokens are these keywords (unquoted words). */
  peekWords(...keywords: string[]): boolean {
    return keywords.every((keyword, offset) => {
      const token = this.tokens[this.index + offset];
      return token?.type === 'word' && token.keyword === keyword;
    });
  }

  /** Consumes the keywords when all are next. */
  acceptWords(...keywords: string[]): boolean {
    if (!this.peekWords(...keywords)) return false;
    this.index += keywords.length;
    return true;
  }

  /** Consumes one of the keywords when next; returns which. */
  acceptAnyWord(...keywords: string[]): string | null {
    const token = this.tokens[this.index];
    if (token?.type === 'word' && keywords.includes(token.keyword)) {
      this.index += 1;
      return token.keyword;
    }
    return null;
  }

  peekPunct(punct: string): boolean {
    const token = this.tokens[this.index];
    return token?.type === 'punct' && token.value === punct;
  }

  acceptPunct(punct: string): boolean {
    if (!this.peekPunct(punct)) return false;
    this.index += 1;
    return true;
  }

  expectPunct(punct: string): void {
    if (!this.acceptPunct(punct)) throw new DdlSyntaxError(`expected "${punct}"`, this.peek());
  }

  /** An identifier: a bare word, a backtick-quoted name, or (ANSI_QUOTES) a double-quoted string. */
  identifier(): string {
    const token = this.next();
    if (
      !token ||
      (token.type !== 'word' &&
        token.type !== 'quoted' &&
        token.type !== 'string' &&
        token.type !== 'number')
    ) {
      throw new DdlSyntaxError('expected a name', token);
    }
    return token.value;
  }

  /** `name` or `db.name`. */
  qualifiedName(): { database: string | null; name: string } {
    const first = this.identifier();
    if (this.acceptPunct('.')) return { database: first, name: this.identifier() };
    return { database: null, name: first };
  }

  /** Skips a parenthesised group whose `(` is next, including nested groups. */
  skipGroup(): void {
    this.expectPunct('(');
    let depth = 1;
    while (depth > 0) {
      const token = this.next();
      if (!token) throw new DdlSyntaxError('unbalanced parentheses', token);
      if (token.type === 'punct' && token.value === '(') depth += 1;
      else if (token.type === 'punct' && token.value === ')') depth -= 1;
    }
  }

  /** Skips to the next `,` or `)` at this nesting level (not consuming it) or the end. */
  skipToListEnd(): void {
    let depth = 0;
    while (!this.isAtEnd) {
      const token = this.peek()!;
      if (token.type === 'punct') {
        if (token.value === '(') depth += 1;
        else if (token.value === ')') {
          if (depth === 0) return;
          depth -= 1;
        } else if (token.value === ',' && depth === 0) return;
      }
      this.index += 1;
    }
  }

  /** A parenthesised, comma-separated list of names, each optionally `(prefix)` and ASC/DESC. */
  nameList(): string[] {
    this.expectPunct('(');
    const names: string[] = [];
    do {
      if (this.peekPunct('(')) {
        // A functional key part (MySQL 8): not a column.
        this.skipGroup();
      } else {
        names.push(this.identifier());
        if (this.peekPunct('(')) this.skipGroup();
      }
      this.acceptAnyWord('ASC', 'DESC');
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return names;
  }
}

export class DdlSyntaxError extends Error {
  constructor(reason: string, token: Token | undefined) {
    super(`${reason} at ${token ? `"${token.value}"` : 'the end'}`);
    this.name = 'DdlSyntaxError';
  }
}
