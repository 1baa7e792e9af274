import { describe, expect, it } from 'vitest';
import {
  checkReference,
  familiarReference,
  formatPlatform,
  formatReference,
  isLoopbackHost,
  normalizeRegistryHost,
  parseReference,
  parseRepository,
  PLATFORM_PATTERN,
  referenceTarget,
  registryApiHost,
} from '../../../src/shared/reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference (Docker rules)', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/library/alpine:edge', { registry: 'docker.io', repository: 'library/alpine', tag: 'edge' }],
    ['registry-1.docker.io/user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['ghcr.io/owner/repo:1.0', { registry: 'ghcr.io', repository: 'owner/repo', tag: '1.0' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/app:v1', { registry: 'localhost:5000', repository: 'app', tag: 'v1' }],
    ['127.0.0.1:5000/a/b/c:1', { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: '1' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
    ['Registry.Example.com/app', { registry: 'registry.example.com', repository: 'app' }],
    ['MyHost/app', { registry: 'myhost', repository: 'app' }],
    [`app@${DIGEST}`, { registry: 'docker.io', repository: 'library/app', digest: DIGEST }],
    [`ghcr.io/o/r:1.0@${DIGEST}`, { registry: 'ghcr.io', repository: 'o/r', tag: '1.0', digest: DIGEST }],
    [
      'quay.io/a_b/c__d/e-f---g.h:tag_1.2-x',
      { registry: 'quay.io', repository: 'a_b/c__d/e-f---g.h', tag: 'tag_1.2-x' },
    ],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ['', 'it is empty'],
    ['Alpine', 'lower-case'],
    ['docker.io/User/app', 'lower-case'],
    ['app:-bad', 'not a valid tag'],
    [`app:${'x'.repeat(129)}`, 'not a valid tag'],
    ['app@sha256:abc', 'not a digest'],
    [`app@sha256:${'g'.repeat(64)}`, 'not a digest'],
    ['a//b', 'path component'],
    ['a/b_', 'path component'],
    ['ghcr.io/', 'missing'],
    ['https://ghcr.io/app', 'scheme'],
    ['a'.repeat(64).replace(/a/g, 'f'), '64-hex'],
    [`host.io/${'a'.repeat(260)}`, 'longer than 255'],
    ['bad_host.io:99999/app', 'registry host'],
  ])('rejects %j with a clear reason', (input, reason) => {
    expect(() => parseReference(input)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(reason) }),
    );
  });

  it('formats full and familiar forms', () => {
    const ref = parseReference('alpine:3.20');
    expect(formatReference(ref)).toBe('docker.io/library/alpine:3.20');
    expect(familiarReference(ref)).toBe('alpine:3.20');
    expect(familiarReference(parseReference('user/app'))).toBe('user/app');
    expect(familiarReference(parseReference('ghcr.io/o/r@' + DIGEST))).toBe(`ghcr.io/o/r@${DIGEST}`);
    expect(formatReference(parseReference(`127.0.0.1:5000/x:1@${DIGEST}`))).toBe(`127.0.0.1:5000/x:1@${DIGEST}`);
  });

  it('targets the digest, then the tag, then latest', () => {
    expect(referenceTarget(parseReference(`a:1@${DIGEST}`))).toBe(DIGEST);
    expect(referenceTarget(parseReference('a:1'))).toBe('1');
    expect(referenceTarget(parseReference('a'))).toBe('latest');
  });

  it('parses repositories and refuses tags there', () => {
    expect(parseRepository('127.0.0.1:5000/many/tags')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'many/tags',
    });
    expect(() => parseRepository('alpine:3')).toThrow(/leave out the :tag/);
  });
});

describe('checkReference', () => {
  it('accepts a reference in normal form', () => {
    expect(checkReference({ registry: '127.0.0.1:5000', repository: 'dev/app', tag: '1.0' })).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'dev/app',
      tag: '1.0',
    });
  });

  it.each([
    [{ registry: 'r.example', repository: '../_catalog' }],
    [{ registry: 'r.example', repository: 'a/b?n=1' }],
    [{ registry: 'r.example', repository: 'a', tag: '../../x' }],
    [{ registry: 'r.example', repository: 'a', digest: 'sha256:../../x' }],
    [{ registry: 'r.example/evil', repository: 'a' }],
    [{ registry: 'docker.io', repository: 'alpine' }],
  ])('refuses parts that would change the URL or are not normalised: %j', (ref) => {
    expect(() => checkReference(ref)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('registry hosts', () => {
  it('normalises what people paste', () => {
    expect(normalizeRegistryHost('https://ghcr.io/')).toBe('ghcr.io');
    expect(normalizeRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeRegistryHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(() => normalizeRegistryHost('not a host')).toThrow(/not a registry host/);
  });

  it('maps Docker Hub to the host that serves its API', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });

  it.each([
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.10.0.3', true],
    ['[::1]:5000', true],
    ['10.0.0.1:5000', false],
    ['registry.local', false],
    ['127.0.0.1.nip.io', false],
  ])('%s loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('formatPlatform', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5830' }, 'windows/amd64'],
  ])('%j -> %s, as PLATFORM_PATTERN reads it', (platform, expected) => {
    expect(formatPlatform(platform)).toBe(expected);
    expect(formatPlatform(platform)).toMatch(PLATFORM_PATTERN);
  });
});
