import { describe, expect, it } from 'vitest';
import {
  dockerServerAddress,
  guessRegistryKind,
  parseRegistryHost,
  registryIdForHost,
  tryNormalizeHost,
} from '../../../src/main/credentials/hosts';

describe('registry hosts', () => {
  it('reduces pasted addresses to the host Berth keys registries by', () => {
    expect(parseRegistryHost('https://GHCR.io/')).toEqual({ host: 'ghcr.io', plainHttp: false });
    expect(parseRegistryHost('http://127.0.0.1:5000/v2/')).toEqual({ host: '127.0.0.1:5000', plainHttp: true });
    expect(parseRegistryHost('[::1]:5000').host).toBe('[::1]:5000');
  });

  it("folds every Docker Hub alias into docker.io and maps it back to Docker's config key", () => {
    for (const alias of [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'https://index.docker.io/v1/',
      'registry.hub.docker.com',
    ]) {
      expect(parseRegistryHost(alias).host).toBe('docker.io');
    }
    expect(dockerServerAddress('docker.io')).toBe('https://index.docker.io/v1/');
    expect(dockerServerAddress('ghcr.io')).toBe('ghcr.io');
  });

  it('rejects what is not a host with a message naming it', () => {
    expect(() => parseRegistryHost('not a host')).toThrow(/"not a host" is not a registry host/);
    expect(() => parseRegistryHost('example.com:99999')).toThrow(/not a registry host/);
    expect(tryNormalizeHost('bad host')).toBeUndefined();
  });

  it('makes readable ids from hosts', () => {
    expect(registryIdForHost('127.0.0.1:5000')).toBe('127.0.0.1-5000');
    expect(registryIdForHost('ghcr.io')).toBe('ghcr.io');
    expect(registryIdForHost('[::1]:5000')).toBe('1-5000');
  });

  it('guesses the product from the host', () => {
    expect(guessRegistryKind('docker.io')).toBe('dockerhub');
    expect(guessRegistryKind('ghcr.io')).toBe('ghcr');
    expect(guessRegistryKind('quay.io')).toBe('quay');
    expect(guessRegistryKind('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe('ecr');
    expect(guessRegistryKind('public.ecr.aws')).toBe('ecr');
    expect(guessRegistryKind('myteam.azurecr.io')).toBe('acr');
    expect(guessRegistryKind('europe-west1-docker.pkg.dev')).toBe('gar');
    expect(guessRegistryKind('registry.gitlab.com')).toBe('gitlab');
    expect(guessRegistryKind('gitlab.example.com:5050')).toBe('gitlab');
    expect(guessRegistryKind('harbor.corp.example')).toBe('harbor');
    expect(guessRegistryKind('127.0.0.1:5000')).toBe('distribution');
  });
});
