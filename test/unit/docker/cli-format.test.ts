import { describe, expect, it } from 'vitest';
import { age, imagesTable } from '../../../src/main/cli/commands/docker';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('age', () => {
  it('reads like docker images', () => {
    expect(age('2025-06-01T11:59:30Z', NOW)).toBe('just now');
    expect(age('2025-06-01T09:00:00Z', NOW)).toBe('3 hours ago');
    expect(age('2025-05-31T12:00:00Z', NOW)).toBe('1 day ago');
    expect(age('2024-05-01T12:00:00Z', NOW)).toBe('1 year ago');
  });

  it('has no age for the zero time of reproducible builds', () => {
    expect(age('0001-01-01T00:00:00.000Z', NOW)).toBe('N/A');
  });
});

describe('imagesTable', () => {
  it('prints one row per tag and <none> for an untagged image', () => {
    const table = imagesTable(
      [
        {
          id: `sha256:${'a'.repeat(64)}`,
          repoTags: ['127.0.0.1:5000/team/app:1.0', 'app:latest'],
          repoDigests: [],
          size: 12_345_678,
          created: '2025-05-31T12:00:00Z',
        },
        {
          id: `sha256:${'b'.repeat(64)}`,
          repoTags: [],
          repoDigests: [`old/app@sha256:${'c'.repeat(64)}`],
          size: 999,
          created: '0001-01-01T00:00:00Z',
        },
      ],
      NOW,
    );
    expect(table.split('\n')).toEqual([
      'REPOSITORY                TAG      IMAGE ID       CREATED     SIZE',
      '127.0.0.1:5000/team/app   1.0      aaaaaaaaaaaa   1 day ago   12.3 MB',
      'app                       latest   aaaaaaaaaaaa   1 day ago   12.3 MB',
      'old/app                   <none>   bbbbbbbbbbbb   N/A         999 B',
    ]);
  });
});
