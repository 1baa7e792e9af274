/**
 * `berth --help` and `berth COMMAND --help`, laid out for a terminal of HELP_WIDTH columns: each command's
 * usage on its own line and its summary wrapped and indented below it, so nothing runs past the width
 * whatever the longest usage is.
 */
import { BERTH_VERSION } from '../version';
import type { CliCommand } from './command';
import { commands } from './commands';

/** The narrowest terminal the help is written for (many terminals open at 80–100 columns). */
export const HELP_WIDTH = 100;

/** Words of `text` in lines of at most `width` columns, each starting with `indent`; a word longer than a
 * line stands alone rather than being cut. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A usage line wraps at option boundaries, its continuation lines indented under the command's name. */
function usageLines(usage: string, indent: string): string[] {
  const [first = '', ...more] = wrapText(usage, HELP_WIDTH, indent);
  return [first, ...more.map((line) => `${indent}    ${line.slice(indent.length)}`)];
}

export function commandHelp(command: CliCommand): string {
  const options = Object.entries(command.options ?? {}).flatMap(([name, spec]) => [
    `  --${name}${spec.type === 'string' ? ' VALUE' : ''}${spec.short ? `, -${spec.short}` : ''}`,
    ...wrapText(spec.description ?? '', HELP_WIDTH, '      '),
  ]);
  return [
    ...usageLines(`usage: ${command.usage}`, ''),
    '',
    ...wrapText(command.summary, HELP_WIDTH),
    ...(options.length ? ['', 'options:', ...options] : []),
  ].join('\n');
}

export function helpText(topic?: string): string {
  const shown = topic ? commands.filter((c) => c.path[0] === topic) : commands;
  return [
    `Berth ${BERTH_VERSION}: browse, compare and promote container images across registries.`,
    '',
    'usage: berth COMMAND [ARGS] [--debug]',
    '',
    'commands:',
    ...shown.flatMap((c) => [
      ...usageLines(c.usage.replace(/^berth /, ''), '  '),
      ...wrapText(c.summary, HELP_WIDTH, '      '),
    ]),
    '',
    'global options: --help, --version, --debug (error codes, and stack traces of unexpected errors)',
    'exit codes: 0 ok, 1 operation failed, 2 usage error',
  ].join('\n');
}
