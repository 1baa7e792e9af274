/**
 * Alpine's version order, ported from apk-tools' src/version.c (GPL-2.0-only; the algorithm, not the code):
 * `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`. Tokens are compared in turn; digits with a leading
 * zero compare as strings (Gentoo's rule), the pre-release suffixes (_alpha, _beta, _pre, _rc) sort before
 * the plain version and the others (_cvs, _svn, _git, _hg, _p) after it. Checked against apk-tools' own
 * test/unit/version.data.
 */

const enum Token {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
  Invalid,
}

const SUFFIXES = ['', 'alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const SUFFIX_INVALID = 0;
const SUFFIX_NONE = 5;

interface TokenState {
  token: Token;
  suffix: number;
  number: bigint;
  value: string;
}

class Tokenizer {
  private position = 0;
  readonly state: TokenState = { token: Token.InitialDigit, suffix: 0, number: 0n, value: '' };

  constructor(private readonly text: string) {
    this.digits();
  }

  private digits(): void {
    const start = this.position;
    while (this.position < this.text.length && /[0-9]/.test(this.text[this.position]!)) this.position++;
    this.state.value = this.text.slice(start, this.position);
    this.state.number = this.state.value === '' ? 0n : BigInt(this.state.value);
    if (this.state.value === '') this.state.token = Token.Invalid;
  }

  private span(pattern: RegExp): string {
    const start = this.position;
    while (this.position < this.text.length && pattern.test(this.text[this.position]!)) this.position++;
    return this.text.slice(start, this.position);
  }

  next(): void {
    const state = this.state;
    if (this.position >= this.text.length) {
      state.token = Token.End;
      return;
    }
    const char = this.text[this.position]!;
    if (char >= 'a' && char <= 'z') {
      if (state.token > Token.Digit) return this.invalid();
      state.value = char;
      state.token = Token.Letter;
      this.position++;
    } else if (char === '.' || (char >= '0' && char <= '9')) {
      if (char === '.') {
        if (state.token > Token.Digit) return this.invalid();
        this.position++;
      }
      if (state.token === Token.InitialDigit || state.token === Token.Digit) state.token = Token.Digit;
      else if (state.token === Token.Suffix) state.token = Token.SuffixNo;
      else return this.invalid();
      this.digits();
    } else if (char === '_') {
      if (state.token > Token.SuffixNo) return this.invalid();
      this.position++;
      state.value = this.span(/[a-z]/);
      state.suffix = suffixValue(state.value);
      if (state.suffix === SUFFIX_INVALID) return this.invalid();
      state.token = Token.Suffix;
    } else if (char === '~') {
      if (state.token >= Token.CommitHash) return this.invalid();
      this.position++;
      state.value = this.span(/[0-9a-f]/);
      if (state.value === '') return this.invalid();
      state.token = Token.CommitHash;
    } else if (char === '-') {
      if (state.token >= Token.RevisionNo) return this.invalid();
      if (!this.text.startsWith('-r', this.position)) return this.invalid();
      this.position += 2;
      state.token = Token.RevisionNo;
      this.digits();
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.state.token = Token.Invalid;
  }
}

function suffixValue(suffix: string): number {
  if (suffix === '') return SUFFIX_INVALID;
  // `p` alone is the patch suffix; any longer word starting with p must be `pre`.
  const index = suffix === 'p' ? SUFFIXES.length - 1 : SUFFIXES.indexOf(suffix, 1);
  return index < 0 || index === SUFFIX_NONE ? SUFFIX_INVALID : index;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokenCompare(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareStrings(a.value, b.value);
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Token.InitialDigit:
    case Token.SuffixNo:
    case Token.RevisionNo:
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Token.Letter:
      return compareStrings(a.value, b.value);
    case Token.Suffix:
      return Math.sign(a.suffix - b.suffix);
    default:
      return compareStrings(a.value, b.value);
  }
}

/** -1, 0 or 1; with `fuzzy`, `b` may be a prefix of `a` (apk's `~` operator). */
export function compareApk(a: string, b: string, fuzzy = false): number {
  const ta = new Tokenizer(a);
  const tb = new Tokenizer(b);
  while (ta.state.token === tb.state.token && ta.state.token < Token.End) {
    const result = tokenCompare(ta.state, tb.state);
    if (result !== 0) return result;
    ta.next();
    tb.next();
  }
  const x = ta.state;
  const y = tb.state;
  if (x.token === y.token) return 0;
  if (y.token === Token.End && fuzzy) return 0;
  // Equal so far: the longer version is newer unless what follows is a pre-release suffix.
  if (x.token === Token.Suffix && x.suffix < SUFFIX_NONE) return -1;
  if (y.token === Token.Suffix && y.suffix < SUFFIX_NONE) return 1;
  if (x.token > y.token) return -1;
  if (y.token > x.token) return 1;
  return 0;
}

/** Whether `version` is a valid apk version. */
export function isValidApkVersion(version: string): boolean {
  const tokens = new Tokenizer(version);
  while (tokens.state.token < Token.End) tokens.next();
  return tokens.state.token === Token.End;
}
