import { describe, expect, it } from 'vitest';
import { parseImageConfig, summarizeLayers } from '../../../src/main/registry/config';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const config = {
  created: '2024-06-15T14:30:00Z',
  architecture: 'arm64',
  os: 'linux',
  variant: 'v8',
  config: {
    Env: ['A=1'],
    Entrypoint: ['/app'],
    Cmd: null,
    User: 'app',
    WorkingDir: '/srv',
    ExposedPorts: { '8080/tcp': {} },
    Volumes: { '/data': {} },
    Labels: { k: 'v' },
  },
  rootfs: { type: 'layers', diff_ids: [D('d'), D('e')] },
  history: [
    { created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs' },
    { created_by: 'ENV A=1', empty_layer: true },
    { created_by: 'RUN make', comment: 'buildkit' },
    { created_by: 'CMD', empty_layer: true },
  ],
};
const layers = [
  { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D('1'), size: 10 },
  { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: D('2'), size: 20 },
];

describe('image config', () => {
  it('summarises the config', () => {
    const { summary, diffIds } = parseImageConfig(Buffer.from(JSON.stringify(config)), D('c'), 'x');
    expect(summary).toMatchObject({
      digest: D('c'),
      created: '2024-06-15T14:30:00Z',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      env: ['A=1'],
      entrypoint: ['/app'],
      cmd: null,
      user: 'app',
      workingDir: '/srv',
      exposedPorts: ['8080/tcp'],
      volumes: ['/data'],
      labels: { k: 'v' },
    });
    expect(diffIds).toEqual([D('d'), D('e')]);
  });

  it('aligns non-empty history steps with layers in order', () => {
    const parsed = parseImageConfig(Buffer.from(JSON.stringify(config)), D('c'), 'x');
    expect(parsed.summary.history.map((step) => step.layerIndex)).toEqual([0, undefined, 1, undefined]);
    expect(summarizeLayers(layers, parsed)).toEqual([
      { ...layers[0], diffId: D('d'), createdBy: 'ADD rootfs', created: '2024-01-01T00:00:00Z' },
      { ...layers[1], diffId: D('e'), createdBy: 'RUN make' },
    ]);
  });

  it('does not guess when history and layers disagree', () => {
    const squashed = parseImageConfig(
      Buffer.from(JSON.stringify({ ...config, history: [{ created_by: 'one step' }] })),
      D('c'),
      'x',
    );
    expect(summarizeLayers(layers, squashed).map((layer) => layer.createdBy)).toEqual([undefined, undefined]);
  });

  it('refuses what is not an image config', () => {
    expect(() => parseImageConfig(Buffer.from('nope'), D('c'), 'x')).toThrow(
      expect.objectContaining({ code: 'bad_response' }),
    );
    expect(() => parseImageConfig(Buffer.from(JSON.stringify({ config: { Env: 'A=1' } })), D('c'), 'x')).toThrow(
      /config.Env/,
    );
  });
});
