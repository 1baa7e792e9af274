/**
 * The tag table's filter: a substring (case-insensitive), a glob (`1.2.*`, `v{1,2}.*`, matched against the
 * whole tag with picomatch's POSIX build, which has no Node dependency), or a regular expression.
 */
import picomatch from 'picomatch/posix';

export type FilterMode = 'substring' | 'glob' | 'regex';

export const FILTER_MODES: { mode: FilterMode; label: string; placeholder: string }[] = [
  { mode: 'substring', label: 'Contains', placeholder: 'Filter tags (text)' },
  { mode: 'glob', label: 'Glob', placeholder: 'Filter tags, e.g. 1.2.* or v{1,2}.*' },
  { mode: 'regex', label: 'Regex', placeholder: 'Filter tags, e.g. ^v\\d+\\.\\d+$' },
];

export interface TagFilter {
  /** Absent when the pattern is invalid (see `error`): the table then shows every tag. */
  test: (tag: string) => boolean;
  /** A message for an invalid pattern, shown next to the input. */
  error?: string;
  active: boolean;
}

const everything: TagFilter = { test: () => true, active: false };

export function makeTagFilter(text: string, mode: FilterMode): TagFilter {
  const pattern = text.trim();
  if (pattern === '') return everything;
  switch (mode) {
    case 'substring': {
      const needle = pattern.toLowerCase();
      return { test: (tag) => tag.toLowerCase().includes(needle), active: true };
    }
    case 'glob': {
      try {
        const isMatch = picomatch(pattern, { dot: true, strictBrackets: true });
        return { test: (tag) => isMatch(tag), active: true };
      } catch (error) {
        return { ...everything, error: `Invalid glob: ${(error as Error).message}` };
      }
    }
    case 'regex': {
      try {
        const regex = new RegExp(pattern);
        return { test: (tag) => regex.test(tag), active: true };
      } catch (error) {
        return {
          ...everything,
          error: `Invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
        };
      }
    }
  }
}
