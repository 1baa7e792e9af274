import { BerthError } from '../../shared/errors';

/**
 * JSON.parse for files that may hold secrets (Docker's config.json) or were edited by hand. V8's own
 * message can quote the input ("Unexpected token 's', "secret..." is not valid JSON"), so it is never
 * passed on: the error names the file and the line and column, which is all a person needs to fix it.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where =
      position !== undefined
        ? ` near ${lineAndColumn(text, Number(position))}`
        : text.trim() === ''
          ? ' (it is empty)'
          : /end of JSON input/.test(message)
            ? ' (it ends too early)'
            : '';
    throw new BerthError('config_invalid', `${what} is not valid JSON${where}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** `registries[2].host` from a zod issue path, for messages about a file's content. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}
