import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../../src/main/registry/proxy';

const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'proxy.corp:8080' };

describe('proxyFor (Go httpproxy rules)', () => {
  it('uses HTTPS_PROXY for https and HTTP_PROXY (scheme added) for http', () => {
    expect(proxyFor(new URL('https://ghcr.io/v2/'), env)).toBe('http://proxy.corp:3128');
    expect(proxyFor(new URL('http://registry.lan:5000/v2/'), env)).toBe('http://proxy.corp:8080');
    expect(proxyFor(new URL('https://ghcr.io/v2/'), { https_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(proxyFor(new URL('https://ghcr.io/v2/'), {})).toBeUndefined();
  });

  it('never proxies loopback', () => {
    expect(proxyFor(new URL('http://127.0.0.1:5000/v2/'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://localhost/v2/'), env)).toBeUndefined();
    expect(proxyFor(new URL('http://[::1]:5000/v2/'), env)).toBeUndefined();
  });

  it.each([
    ['*', 'https://ghcr.io/', undefined],
    ['ghcr.io', 'https://ghcr.io/', undefined],
    ['ghcr.io', 'https://pkg.ghcr.io/', undefined],
    ['.ghcr.io', 'https://ghcr.io/', 'http://proxy.corp:3128'],
    ['*.ghcr.io', 'https://pkg.ghcr.io/', undefined],
    ['example.com, ghcr.io:443', 'https://ghcr.io/', undefined],
    ['ghcr.io:8443', 'https://ghcr.io/', 'http://proxy.corp:3128'],
    ['10.0.0.0/8', 'https://10.1.2.3:5000/', undefined],
    ['10.0.0.0/8', 'https://11.1.2.3:5000/', 'http://proxy.corp:3128'],
    ['notghcr.io', 'https://ghcr.io/', 'http://proxy.corp:3128'],
  ])('NO_PROXY=%s for %s', (noProxy, url, expected) => {
    expect(proxyFor(new URL(url), { ...env, NO_PROXY: noProxy })).toBe(expected);
  });
});
