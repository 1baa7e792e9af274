import { z } from 'zod';
import { contract, REQUEST_NAMES, type RequestName } from '../../shared/contract';
import type { CallMessage } from '../../shared/wire';

/**
 * How big one call frame of the serve WebSocket may be: the largest valid call, derived from the bounds the
 * contract states (read through zod's JSON Schema export), so a new or raised bound moves the limit with it.
 *
 * The contract bounds strings in UTF-16 code units (zod's `.max()` counts `string.length`). In the frame one
 * unit takes at most 6 bytes: JSON.stringify writes control characters and lone surrogates as `\u001f`, and an
 * ASCII-only encoder writes every non-ASCII unit that way (raw UTF-8 needs at most 3 bytes per unit). So a
 * repository name of 256 units may take 1,538 bytes with its quotes. Numbers take at most 24 characters as
 * JSON.stringify writes them (`-2.2250738585072014e-308`). An object is counted with every key it declares
 * present; keys it does not declare are stripped by validation, so they are no part of a valid input's bound.
 */
const BYTES_PER_CODE_UNIT = 6;
const NUMBER_BYTES = 24;

type JsonSchema = {
  type?: string | string[];
  maxLength?: number;
  pattern?: string;
  maxItems?: number;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  patternProperties?: Record<string, JsonSchema>;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** The most bytes a value of `schema` takes as JSON text; Infinity when the schema sets no bound. */
export function maxJsonBytes(schema: z.ZodType): number {
  return bytesOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

function bytesOf(schema: JsonSchema): number {
  if (schema.enum) return Math.max(...schema.enum.map(valueBytes));
  if (schema.const !== undefined) return valueBytes(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return Math.max(...alternatives.map(bytesOf));
  if (Array.isArray(schema.type)) return Math.max(...schema.type.map((type) => bytesOf({ ...schema, type })));
  switch (schema.type) {
    case 'null':
      return 'null'.length;
    case 'boolean':
      return 'false'.length;
    case 'number':
    case 'integer':
      return NUMBER_BYTES;
    case 'string': {
      const units = Math.min(
        schema.maxLength ?? Infinity,
        schema.pattern === undefined ? Infinity : patternMaxLength(schema.pattern),
      );
      return stringBytes(units);
    }
    case 'array': {
      if (schema.prefixItems || !schema.items) return Infinity;
      const items = schema.maxItems ?? Infinity;
      return items === 0 ? 2 : 2 + items * bytesOf(schema.items) + (items - 1);
    }
    case 'object': {
      // Keys beyond the declared ones (a record, a loose object) have no bound; zod's default object strips them.
      if (
        (schema.additionalProperties !== undefined && schema.additionalProperties !== false) ||
        schema.patternProperties
      )
        return Infinity;
      const entries = Object.entries(schema.properties ?? {});
      const fields = entries.reduce((sum, [key, value]) => sum + JSON.stringify(key).length + 1 + bytesOf(value), 0);
      return 2 + fields + Math.max(0, entries.length - 1);
    }
    default:
      return Infinity; // unrepresentable or unconstrained (`{}`): no bound
  }
}

function stringBytes(units: number): number {
  return 2 + BYTES_PER_CODE_UNIT * units;
}

function valueBytes(value: unknown): number {
  return typeof value === 'string' ? stringBytes(value.length) : JSON.stringify(value).length;
}

/**
 * The longest string a JSON Schema `pattern` (an ECMAScript regex source) can match, in UTF-16 units, or
 * Infinity. Fields like the operation id are bounded only by their pattern (`^[A-Za-z0-9_-]{1,64}$`).
 * Understands alternation, groups, classes, escapes and quantifiers; anything else counts as unbounded.
 */
export function patternMaxLength(pattern: string): number {
  let at = 0;
  function alternation(): number {
    let longest = sequence();
    while (pattern[at] === '|') {
      at++;
      longest = Math.max(longest, sequence());
    }
    return longest;
  }
  function sequence(): number {
    let total = 0;
    while (at < pattern.length && pattern[at] !== '|' && pattern[at] !== ')') {
      const length = atom();
      const times = quantifier();
      total += length === 0 || times === 0 ? 0 : length * times;
    }
    return total;
  }
  function atom(): number {
    const char = pattern[at++];
    if (char === '^' || char === '$') return 0;
    if (char === '(') {
      const prefix = /^\?(?:<?[=!]|:|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(at))?.[0] ?? '';
      at += prefix.length;
      const inner = alternation();
      if (pattern[at++] !== ')') return Infinity;
      return /[=!]$/.test(prefix) ? 0 : inner; // a lookaround consumes nothing
    }
    if (char === '[') {
      const end = /^\^?(?:\\.|[^\]\\])*\]/.exec(pattern.slice(at));
      if (!end) return Infinity;
      at += end[0].length;
      return 1;
    }
    if (char === '\\') {
      const escape =
        /^(?:[bB]|[1-9]|k<[^>]*>|u[0-9A-Fa-f]{4}|u\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{2}|c[A-Za-z]|[pP]\{[^}]*\}|.)/.exec(
          pattern.slice(at),
        );
      if (!escape) return Infinity;
      at += escape[0].length;
      if (/^[bB]$/.test(escape[0])) return 0; // word boundaries match no characters
      if (/^(?:[1-9]|k<)/.test(escape[0])) return Infinity; // a back-reference repeats a group: not worth bounding
      return /^u\{/.test(escape[0]) ? 2 : 1;
    }
    if (char === '*' || char === '+' || char === '?' || char === '{' || char === ')' || char === undefined)
      return Infinity;
    return 1;
  }
  function quantifier(): number {
    const match = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(pattern.slice(at));
    if (!match) return 1;
    at += match[0].length;
    if (match[1]) return match[1] === '?' ? 1 : Infinity;
    if (match[3] === undefined) return Number(match[2]);
    return match[4] ? Number(match[4]) : Infinity;
  }
  const longest = alternation();
  return at === pattern.length ? longest : Infinity;
}

/** The most bytes a call of `name` takes as one text frame: the envelope around the largest input. */
export function maxCallFrameBytes(name: RequestName): number {
  const envelope: CallMessage = { type: 'call', id: -Number.MAX_SAFE_INTEGER, name, input: null };
  return JSON.stringify(envelope).length - 'null'.length + maxJsonBytes(contract[name].input);
}

/**
 * The frame limit (ws `maxPayload`): the largest call of any request whose every field the contract bounds.
 * Today that is `registries.update` with 10,000 repository names of 256 units (about 15 MB); a field bounded
 * by nothing (a digest or platform pattern with `+`) leaves its request out, and such a call still fits unless
 * that one field runs to megabytes. Computed when serve starts, not when every CLI command loads.
 */
export function callFrameLimit(): number {
  return Math.max(...REQUEST_NAMES.map(maxCallFrameBytes).filter(Number.isFinite));
}
