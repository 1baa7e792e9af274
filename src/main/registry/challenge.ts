/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header or several, each with one or more challenges
 * `Scheme param=value, param="quoted, with \"escapes\"", Other realm="..."`. Registries send Bearer
 * (https://distribution.github.io/distribution/spec/auth/token/) or Basic; parameter names are case-insensitive.
 */

export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lower-cased. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const MAX_HEADER_LENGTH = 16 * 1024;

class Cursor {
  index = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.index >= this.text.length;
  }
  peek(): string {
    return this.text[this.index] ?? '';
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.index++;
  }
  skipSeparators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.index++;
  }
  token(): string {
    const start = this.index;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.index++;
    return this.text.slice(start, this.index);
  }
  /** token68 (base64-ish) values may end with `=` padding. */
  tokenOrToken68(): string {
    const start = this.index;
    while (!this.done && (TOKEN_CHAR.test(this.peek()) || this.peek() === '/')) this.index++;
    while (this.peek() === '=') this.index++;
    return this.text.slice(start, this.index);
  }
  quoted(): string {
    // Caller checked the opening quote.
    this.index++;
    let value = '';
    while (!this.done) {
      const char = this.text[this.index++]!;
      if (char === '\\' && !this.done) value += this.text[this.index++]!;
      else if (char === '"') return value;
      else value += char;
    }
    return value; // unterminated: take what is there rather than reject the whole header
  }
  /** True when a `name=` parameter starts here (as opposed to the next challenge's scheme). */
  atParam(): boolean {
    const save = this.index;
    const name = this.token();
    this.skipSpaces();
    let isParam = name.length > 0 && this.peek() === '=';
    if (isParam) {
      // `abc==` or `abc=` at the end is token68 padding, not a parameter without a value.
      this.index++;
      this.skipSpaces();
      isParam = !this.done && this.peek() !== '=' && this.peek() !== ',';
    }
    this.index = save;
    return isParam;
  }
}

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. Never throws. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const challenges: Challenge[] = [];
  for (const value of values) {
    const cursor = new Cursor(value.slice(0, MAX_HEADER_LENGTH));
    while (!cursor.done) {
      cursor.skipSeparators();
      const scheme = cursor.token();
      if (!scheme) {
        cursor.index++; // skip a stray character
        continue;
      }
      const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
      challenges.push(challenge);
      cursor.skipSpaces();
      if (!cursor.atParam() && !cursor.done && cursor.peek() !== ',') {
        challenge.params['token68'] = cursor.tokenOrToken68();
      }
      for (;;) {
        cursor.skipSeparators();
        if (cursor.done || !cursor.atParam()) break;
        const name = cursor.token().toLowerCase();
        cursor.skipSpaces();
        cursor.index++; // '='
        cursor.skipSpaces();
        const paramValue = cursor.peek() === '"' ? cursor.quoted() : cursor.token();
        if (!(name in challenge.params)) challenge.params[name] = paramValue;
      }
    }
  }
  return challenges;
}

/** Scopes named in a challenge's `scope` parameter (space-separated per the token spec). */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params['scope'] ?? '').split(' ').filter(Boolean);
}
