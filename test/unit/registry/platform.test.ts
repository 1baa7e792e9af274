import { describe, expect, it } from 'vitest';
import { formatPlatform, parsePlatform, platformMatches, selectPlatform } from '../../../src/main/registry/platform';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (
  digest: string,
  os: string,
  architecture: string,
  variant?: string,
  annotations?: Record<string, string>,
) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
  ...(annotations ? { annotations } : {}),
});
const index = [
  entry(D('1'), 'linux', 'amd64'),
  entry(D('2'), 'linux', 'arm64', 'v8'),
  entry(D('3'), 'linux', 'arm', 'v6'),
  entry(D('4'), 'unknown', 'unknown', undefined, { 'vnd.docker.reference.type': 'attestation-manifest' }),
];

describe('platforms', () => {
  it('parses and formats', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(formatPlatform({ os: 'linux', architecture: 'amd64' })).toBe('linux/amd64');
    expect(() => parsePlatform('linux')).toThrow(/os\/arch/);
  });

  it('matches default variants like containerd', () => {
    expect(
      platformMatches({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    ).toBe(true);
    expect(
      platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v6' },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ),
    ).toBe(false);
  });

  it('selects the asked platform, and says what exists when it is absent', () => {
    expect(selectPlatform(index, parsePlatform('linux/arm64')).digest).toBe(D('2'));
    expect(selectPlatform(index, parsePlatform('linux/arm/v6')).digest).toBe(D('3'));
    expect(() => selectPlatform(index, parsePlatform('linux/s390x'))).toThrow(
      expect.objectContaining({
        code: 'not_found',
        message: 'No linux/s390x image in this index; it has linux/amd64, linux/arm64/v8, linux/arm/v6.',
      }),
    );
  });

  it('never picks an attestation, and falls back to the first image', () => {
    expect(selectPlatform([index[3]!, entry(D('5'), 'windows', 'amd64')]).digest).toBe(D('5'));
    expect(() => selectPlatform([index[3]!])).toThrow(/only attestations/);
  });
});
