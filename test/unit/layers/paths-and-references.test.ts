import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import { parseSourceReference } from '../../../src/main/layers/sources/source-reference';
import { ancestorsOf, normalizeEntryName, parentPath, resolveInRoot } from '../../../src/main/layers/tar-path';

describe('normalizeEntryName', () => {
  it.each([
    ['etc/hostname', '/etc/hostname', false],
    ['./etc/hostname', '/etc/hostname', false],
    ['etc//x/./y/', '/etc/x/y', false],
    ['./', '/', false],
    ['a/b/../c', '/a/c', false],
    ['/etc/passwd', '/etc/passwd', true],
  ])('%s -> %s', (name, path, absolute) => {
    expect(normalizeEntryName(name)).toEqual({ ok: true, path, absolute });
  });

  it.each(['../x', 'a/../../x', '..', ''])('refuses %j', (name) => {
    expect(normalizeEntryName(name).ok).toBe(false);
  });

  it('refuses names longer than PATH_MAX', () => {
    expect(normalizeEntryName(`a/${'b'.repeat(5000)}`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('4096'),
    });
  });
});

describe('path helpers', () => {
  it('walks parents and resolves inside the root', () => {
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBe('');
    expect(ancestorsOf('/a/b/c')).toEqual(['/a/b', '/a', '/']);
    expect(resolveInRoot('/a/../../../etc/./x')).toBe('/etc/x');
  });
});

describe('parseSourceReference', () => {
  it.each([
    ['127.0.0.1:5000/dev/app:1.0.0', { transport: 'docker', target: '127.0.0.1:5000/dev/app:1.0.0' }],
    [
      'docker://127.0.0.1:5000/dev/app@sha256:abc',
      { transport: 'docker', target: '127.0.0.1:5000/dev/app@sha256:abc' },
    ],
    ['docker-daemon:dev/app:1.0.0', { transport: 'docker-daemon', target: 'dev/app:1.0.0' }],
    ['docker-archive:/tmp/app.tar', { transport: 'docker-archive', target: '/tmp/app.tar' }],
    [
      'docker-archive:/tmp/app.tar:dev/app:1.0.0',
      { transport: 'docker-archive', target: '/tmp/app.tar', selector: 'dev/app:1.0.0' },
    ],
    ['docker-archive:/tmp/app.tar:@1', { transport: 'docker-archive', target: '/tmp/app.tar', selector: '@1' }],
    ['oci:/tmp/layout', { transport: 'oci', target: '/tmp/layout' }],
    ['oci:/tmp/layout:1.1.0', { transport: 'oci', target: '/tmp/layout', selector: '1.1.0' }],
  ])('%s', (input, expected) => {
    expect(parseSourceReference(input)).toEqual(expected);
  });

  it('refuses transports it does not read, and empty targets', () => {
    expect(() => parseSourceReference('oci-archive:/tmp/x.tar')).toThrow(BerthError);
    expect(() => parseSourceReference('oci-archive:/tmp/x.tar')).toThrow(/not supported/);
    expect(() => parseSourceReference('docker-archive:')).toThrow(/Nothing follows docker-archive:/);
    expect(() => parseSourceReference('docker://')).toThrow(/Nothing follows/);
  });
});
