/**
 * Splits JSON text into tokens for display: keys, strings, numbers, literals and punctuation, and marks
 * string values that are digests so the manifest view can make them links. Not a validator: it is only
 * ever given text that JSON.parse accepted.
 */
export type JsonTokenKind = 'key' | 'string' | 'digest' | 'number' | 'literal' | 'punctuation' | 'space';

export interface JsonToken {
  kind: JsonTokenKind;
  text: string;
  /** For 'digest' tokens: the digest without quotes. */
  digest?: string;
}

const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:])|(\s+)/gy;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/;

export function tokenizeJson(text: string): JsonToken[] {
  const tokens: JsonToken[] = [];
  let position = 0;
  while (position < text.length) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) {
      // Not JSON from here on: keep the rest as plain text rather than dropping it.
      tokens.push({ kind: 'string', text: text.slice(position) });
      break;
    }
    position = TOKEN.lastIndex;
    const [, string, colon, number, literal, punctuation, space] = match;
    if (string !== undefined) {
      if (colon !== undefined) {
        tokens.push({ kind: 'key', text: string }, { kind: 'punctuation', text: colon });
      } else {
        const value = string.slice(1, -1);
        tokens.push(
          DIGEST.test(value) ? { kind: 'digest', text: string, digest: value } : { kind: 'string', text: string },
        );
      }
    } else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (literal !== undefined) tokens.push({ kind: 'literal', text: literal });
    else if (punctuation !== undefined) tokens.push({ kind: 'punctuation', text: punctuation });
    else tokens.push({ kind: 'space', text: space ?? '' });
  }
  return tokens;
}

/** Pretty-printed JSON when `raw` parses, else `raw` unchanged. */
export function prettyJson(raw: string): { text: string; formatted: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(raw), null, 2), formatted: true };
  } catch {
    return { text: raw, formatted: false };
  }
}
