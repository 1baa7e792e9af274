import { afterEach, expect, it } from 'vitest';
import { Transport } from '../../../src/main/registry/transport';
import { BerthError } from '../../../src/shared/errors';

let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

function transportCounting(lookups: string[]): Transport {
  return new Transport({
    // Consulted for every request that gets as far as choosing a connection pool.
    hostOptions: (host) => (lookups.push(host), { insecure: false }),
    env: {},
    userAgent: 'berth-test',
    maxConcurrencyPerHost: 1,
    timeouts: { connectMs: 1_000, headersMs: 1_000, bodyMs: 1_000 },
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    maxRedirects: 0,
  });
}

// Nothing listens on port 9 (discard) of the test machine; the request must not get as far as trying it.
const request = (signal: AbortSignal) => ({
  registry: '127.0.0.1:9',
  url: new URL('http://127.0.0.1:9/v2/'),
  method: 'GET' as const,
  signal,
  action: 'ping 127.0.0.1:9',
});

it('refuses a request whose signal is already aborted before taking a slot, with its cancel message', async () => {
  const lookups: string[] = [];
  transport = transportCounting(lookups);
  const aborted = new AbortController();
  aborted.abort();
  await expect(transport.request(request(aborted.signal))).rejects.toMatchObject({
    code: 'cancelled',
    message: 'Cancelled: ping 127.0.0.1:9',
  });
  expect(lookups).toEqual([]);

  const byUser = new AbortController();
  byUser.abort(new BerthError('cancelled', 'Cancelled by the user'));
  await expect(transport.request(request(byUser.signal))).rejects.toMatchObject({
    code: 'cancelled',
    message: 'Cancelled by the user',
  });
  expect(lookups).toEqual([]);
});
