import { describe, expect, it } from 'vitest';
import { adviseOn, rateLimitReset } from '../../../src/renderer/logic/errors';
import { formatBytes, formatRelative, shortDigest } from '../../../src/renderer/logic/format';
import { prettyJson, tokenizeJson } from '../../../src/renderer/logic/json-tokens';
import { alignLayers, readableStep } from '../../../src/renderer/logic/layer-history';
import { shareableLink } from '../../../src/renderer/logic/links';
import { parseRoute } from '../../../src/renderer/navigation/route';
import { pullByDigest, pullByTag, pullName } from '../../../src/renderer/logic/references';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('formatting', () => {
  it('formats sizes in SI units and digests short', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1530)).toBe('1.53 KB');
    expect(formatBytes(4_720_000)).toBe('4.72 MB');
    expect(formatBytes(undefined)).toBe('—');
    expect(shortDigest(digest)).toBe('sha256:abababababab');
  });

  it('formats relative times against a given now', () => {
    const now = Date.parse('2024-01-10T00:00:00Z');
    expect(formatRelative('2024-01-07T00:00:00Z', now)).toBe('3 days ago');
    expect(formatRelative('not a date', now)).toBe('—');
  });

  it('writes docker pull commands the way people type them', () => {
    expect(pullName('docker.io', 'library/alpine')).toBe('alpine');
    expect(pullName('docker.io', 'bitnami/redis')).toBe('bitnami/redis');
    expect(pullByTag('127.0.0.1:5000', 'dev/app', '1.0.0')).toBe('docker pull 127.0.0.1:5000/dev/app:1.0.0');
    expect(pullByDigest('ghcr.io', 'o/r', digest)).toBe(`docker pull ghcr.io/o/r@${digest}`);
  });
});

describe('error advice', () => {
  it('says what to do next for each kind of failure', () => {
    expect(adviseOn({ code: 'unauthorized', message: 'x' })).toMatchObject({
      title: 'Sign-in required',
      primary: 'signIn',
    });
    expect(adviseOn({ code: 'unreachable', message: 'x' }).primary).toBe('openSettings');
    expect(adviseOn({ code: 'not_found', message: 'x' }).hint).toMatch(/add the repository by name/);
  });

  it('tells when a rate limit resets, from the seconds or the time main gave', () => {
    const now = Date.parse('2024-01-01T12:00:00');
    expect(rateLimitReset({ code: 'rate_limited', message: 'x', details: { retryAfterSeconds: 90 } }, now)).toBe(
      '12:01:30',
    );
    expect(adviseOn({ code: 'rate_limited', message: 'x', details: { retryAfterSeconds: 90 } }, now).hint).toBe(
      'The limit resets at 12:01:30. Cached data stays available.',
    );
    expect(adviseOn({ code: 'rate_limited', message: 'x' }, now).hint).toMatch(/Wait a little/);
  });
});

describe('manifest JSON', () => {
  it('tokenizes keys, strings, numbers and literals, marking digests', () => {
    const { text } = prettyJson(
      `{"schemaVersion":2,"config":{"digest":"${digest}","size":7},"x":[true,null,-1.5e3,"a\\"b"]}`,
    );
    const tokens = tokenizeJson(text);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    expect(tokens.filter((t) => t.kind === 'digest').map((t) => t.digest)).toEqual([digest]);
    expect(tokens.filter((t) => t.kind === 'key').map((t) => t.text)).toEqual([
      '"schemaVersion"',
      '"config"',
      '"digest"',
      '"size"',
      '"x"',
    ]);
    expect(tokens.filter((t) => t.kind === 'literal').map((t) => t.text)).toEqual(['true', 'null']);
    expect(tokens.filter((t) => t.kind === 'number').map((t) => t.text)).toEqual(['2', '7', '-1500']);
  });

  it('keeps text that is not JSON as it is', () => {
    expect(prettyJson('not json')).toEqual({ text: 'not json', formatted: false });
    expect(
      tokenizeJson('{ @ }')
        .map((t) => t.text)
        .join(''),
    ).toBe('{ @ }');
  });
});

describe('layers and history', () => {
  const layers = [0, 1, 2].map((i) => ({
    digest: `sha256:${String(i).repeat(64)}`,
    size: 10 * (i + 1),
    mediaType: 'x',
  }));

  it('puts each layer beside the step that made it and metadata steps between', () => {
    const lines = alignLayers(
      [
        { createdBy: 'ADD rootfs', emptyLayer: false },
        { createdBy: 'ENV A=b', emptyLayer: true },
        { createdBy: 'COPY app', emptyLayer: false },
        { createdBy: 'RUN build', emptyLayer: false },
        { createdBy: 'CMD x', emptyLayer: true },
      ],
      layers,
    );
    expect(lines.map((l) => [l.step?.createdBy, l.layerIndex])).toEqual([
      ['ADD rootfs', 0],
      ['ENV A=b', undefined],
      ['COPY app', 1],
      ['RUN build', 2],
      ['CMD x', undefined],
    ]);
  });

  it('shows layers the history does not cover, and steps that claim a missing layer', () => {
    expect(alignLayers([], layers).map((l) => l.layerIndex)).toEqual([0, 1, 2]);
    const short = alignLayers([{ createdBy: 'ADD', emptyLayer: false }], layers);
    expect(short.map((l) => l.layerIndex)).toEqual([0, 1, 2]);
    expect(alignLayers([{ createdBy: 'A', emptyLayer: false, layerIndex: 5 }], []).map((l) => l.layer)).toEqual([
      undefined,
    ]);
  });

  it('reads created_by like a Dockerfile line', () => {
    expect(readableStep('/bin/sh -c #(nop)  ENV A=b')).toBe('ENV A=b');
    expect(readableStep('/bin/sh -c apt-get update')).toBe('RUN apt-get update');
    expect(readableStep('RUN /bin/sh -c make # buildkit')).toBe('RUN /bin/sh -c make');
  });
});

describe('shareable links', () => {
  it('are berth:// paths in the desktop app and the token-less address in serve mode', () => {
    const route = { view: 'repository', registryId: 'r1', repository: 'team-a/app' } as const;
    expect(shareableLink(route, { protocol: 'file:', origin: 'null' })).toBe(
      'berth://registries/r1/repositories/team-a/app',
    );
    expect(shareableLink(route, { protocol: 'http:', origin: 'http://127.0.0.1:4000' })).toBe(
      'http://127.0.0.1:4000/registries/r1/repositories/team-a/app',
    );
    expect(
      parseRoute(new URL(shareableLink(route, { protocol: 'http:', origin: 'http://127.0.0.1:4000' })).pathname),
    ).toEqual(route);
  });
});
