import { describe, expect, it } from 'vitest';
import { registryAuthHeader } from '../../../src/main/docker/registry-auth';

/** Decodes as Go's base64.URLEncoding does: URL alphabet, padding required. */
function decodeLikeGo(header: string): unknown {
  expect(header).toMatch(/^[A-Za-z0-9_-]*={0,2}$/);
  expect(header.length % 4).toBe(0);
  return JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
}

describe('registryAuthHeader', () => {
  it('sends a basic credential with its server address', () => {
    expect(
      decodeLikeGo(registryAuthHeader('127.0.0.1:5000', { kind: 'basic', username: 'alice', password: 'p>?~ss' })),
    ).toEqual({
      username: 'alice',
      password: 'p>?~ss',
      serveraddress: '127.0.0.1:5000',
    });
  });

  it("uses Docker Hub's index address, as the Docker CLI records it", () => {
    expect(
      decodeLikeGo(registryAuthHeader('docker.io', { kind: 'basic', username: 'u', password: 'p' })),
    ).toMatchObject({
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  it('sends identity and registry tokens in their own fields', () => {
    expect(
      decodeLikeGo(registryAuthHeader('ghcr.io', { kind: 'identity-token', username: 'me', token: 'refresh' })),
    ).toEqual({
      username: 'me',
      identitytoken: 'refresh',
      serveraddress: 'ghcr.io',
    });
    expect(decodeLikeGo(registryAuthHeader('quay.io', { kind: 'registry-token', token: 'bearer' }))).toEqual({
      registrytoken: 'bearer',
      serveraddress: 'quay.io',
    });
  });

  it('keeps the padding Go needs and the URL alphabet (no + or /)', () => {
    // Bytes chosen so that standard base64 would contain both "+" and "/", and the length needs padding.
    const header = registryAuthHeader('r.example', { kind: 'basic', username: 'a', password: '\u00fb\u00ff\u00bf>??' });
    expect(header).not.toMatch(/[+/]/);
    expect(header.endsWith('=')).toBe(true);
    expect(decodeLikeGo(header)).toMatchObject({ password: '\u00fb\u00ff\u00bf>??' });
  });

  it('sends an empty config for anonymous access', () => {
    expect(decodeLikeGo(registryAuthHeader('127.0.0.1:5000', undefined))).toEqual({});
  });
});
