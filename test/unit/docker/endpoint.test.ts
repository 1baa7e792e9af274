import { describe, expect, it } from 'vitest';
import { isPlainRemote, parseEngineHost } from '../../../src/main/docker/endpoint';
import { BerthError } from '../../../src/shared/errors';

function failure(host: string): BerthError {
  try {
    parseEngineHost(host);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error(`${host} was accepted`);
}

describe('parseEngineHost', () => {
  it('reads unix sockets, and takes a bare absolute path as one', () => {
    expect(parseEngineHost('unix:///var/run/docker.sock')).toEqual({
      kind: 'unix',
      host: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
    });
    expect(parseEngineHost('  /run/user/1000/podman/podman.sock ')).toEqual({
      kind: 'unix',
      host: 'unix:///run/user/1000/podman/podman.sock',
      socketPath: '/run/user/1000/podman/podman.sock',
    });
  });

  it('turns npipe hosts into Windows pipe paths', () => {
    expect(parseEngineHost('npipe:////./pipe/docker_engine')).toEqual({
      kind: 'npipe',
      host: 'npipe:////./pipe/docker_engine',
      socketPath: '\\\\.\\pipe\\docker_engine',
    });
  });

  it('gives tcp the Docker default ports: 2375 plain, 2376 with TLS', () => {
    expect(parseEngineHost('tcp://10.0.0.5')).toMatchObject({
      kind: 'tcp',
      hostname: '10.0.0.5',
      port: 2375,
      host: 'tcp://10.0.0.5:2375',
    });
    expect(parseEngineHost('tcp://docker.example', { verify: true })).toMatchObject({
      port: 2376,
      tls: { verify: true },
    });
    expect(parseEngineHost('https://docker.example')).toMatchObject({ port: 2376, tls: { verify: true } });
    expect(parseEngineHost('tcp://docker.example:1234/base/')).toMatchObject({
      port: 1234,
      basePath: '/base',
      host: 'tcp://docker.example:1234/base',
    });
  });

  it('refuses ssh with the way around it', () => {
    const error = failure('ssh://me@build-box');
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(/ssh -NL/);
  });

  it('refuses what is not a Docker host, saying what is expected', () => {
    for (const host of [
      '',
      'docker.sock',
      'ftp://x',
      'unix://relative/path',
      'tcp://user:pw@host:2375',
      'npipe://pipe',
    ]) {
      const error = failure(host);
      expect(error.code, host).toBe('invalid_input');
      expect(error.message, host).toMatch(/is not a Docker host/);
    }
  });
});

describe('isPlainRemote', () => {
  it('is true for tcp without TLS off loopback, in any spelling of the address', () => {
    for (const host of [
      'tcp://10.0.0.5',
      'tcp://203.0.113.7:2375',
      'http://docker.example:2375',
      'tcp://[2001:db8::1]:2375',
      'tcp://0.0.0.0:2375',
      'tcp://128.0.0.1',
      'tcp://localhost.example',
    ]) {
      expect(isPlainRemote(parseEngineHost(host)), host).toBe(true);
    }
  });

  it('is false on loopback (127.0.0.0/8, ::1, localhost), with TLS, and for sockets and pipes', () => {
    for (const host of [
      'tcp://127.0.0.1:2375',
      'tcp://127.200.1.1',
      'tcp://2130706433:2375',
      'tcp://LOCALHOST:2375',
      'tcp://[::1]:2375',
      'tcp://[0:0:0:0:0:0:0:1]',
      'unix:///var/run/docker.sock',
      'npipe:////./pipe/docker_engine',
      'https://docker.example',
    ]) {
      expect(isPlainRemote(parseEngineHost(host)), host).toBe(false);
    }
    expect(isPlainRemote(parseEngineHost('tcp://docker.example:2376', { verify: true }))).toBe(false);
    // Encrypted though not verified (DOCKER_TLS without DOCKER_TLS_VERIFY): nothing crosses in clear.
    expect(isPlainRemote(parseEngineHost('tcp://docker.example:2376', { verify: false }))).toBe(false);
  });
});
