import { describe, expect, it } from 'vitest';
import { commands } from '../../../src/main/cli/commands';
import { commandHelp, HELP_WIDTH, helpText, wrapText } from '../../../src/main/cli/help';

describe('berth --help', () => {
  it('fits a 100-column terminal, overall and for every command', () => {
    const texts = [helpText(), ...commands.map((command) => commandHelp(command))];
    for (const text of texts) {
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
    }
    expect(HELP_WIDTH).toBe(100);
  });

  it('still names every command and its whole summary', () => {
    const flat = helpText().replace(/\s+/g, ' ');
    for (const command of commands) {
      expect(flat).toContain(command.usage.replace(/^berth /, ''));
      expect(flat).toContain(command.summary.replace(/\s+/g, ' '));
    }
  });

  it('wraps at word boundaries and keeps a word longer than the line whole', () => {
    expect(wrapText('aaa bbb ccc', 7, '  ')).toEqual(['  aaa', '  bbb', '  ccc']);
    expect(wrapText('aa bb', 20)).toEqual(['aa bb']);
    expect(wrapText('x '.repeat(3) + 'y'.repeat(30), 10)).toEqual(['x x x', 'y'.repeat(30)]);
  });
});
