import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../../src/main/diagnostics';

describe('Copy diagnostics text', () => {
  it('reports versions, engine, registries by kind and recent problems, without hosts', () => {
    const text = formatDiagnostics({
      version: '0.1.0',
      transport: 'electron',
      platform: 'linux/x64',
      versions: { node: '22.1.0', electron: '45.0.0', chrome: undefined },
      engine: {
        host: 'unix:///var/run/docker.sock',
        source: 'default',
        reachable: true,
        version: '20.10.24',
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
      },
      registryKinds: ['dockerhub', 'distribution', 'distribution'],
      recentProblems: [
        { at: '2026-01-01T00:00:00.000Z', level: 'error', scope: 'registry.listTags', message: 'boom\nstack line' },
      ],
    });
    expect(text).toContain('Berth 0.1.0 (electron) on linux/x64');
    expect(text).toContain('node 22.1.0, electron 45.0.0');
    expect(text).toContain('Docker engine: reachable via default, Docker 20.10.24 (API 1.41, linux/amd64)');
    expect(text).toContain('Registries: dockerhub x1, distribution x2');
    expect(text).toContain('registry.listTags: boom');
    expect(text).not.toContain('stack line');
  });

  it('says why the engine is unavailable', () => {
    const text = formatDiagnostics({
      version: '1',
      transport: 'cli',
      platform: 'p',
      versions: {},
      engine: { error: 'no socket' },
      registryKinds: [],
      recentProblems: [],
    });
    expect(text).toContain('Docker engine: unavailable (no socket)');
    expect(text).toContain('Registries: none');
  });
});
