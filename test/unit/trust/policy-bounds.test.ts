/**
 * Trust policies travel one per call (`trust.savePolicy`) with bounds a real policy fits in, so neither a
 * policy nor `trust.verify`'s override sets the serve frame limit (test/unit/serve/frame-limit.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxCallFrameBytes } from '../../../src/main/serve/frame-limit';
import { contract } from '../../../src/shared/contract';
import { emptyTrustPolicy } from '../../../src/shared/trust-policy';

const fixtures = join(__dirname, '../../fixtures/trust');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

describe('trust policy bounds', () => {
  it('keep one policy and a verify override well under the largest other call', () => {
    const largest = maxCallFrameBytes('registries.update');
    expect(maxCallFrameBytes('trust.savePolicy')).toBeLessThan(largest / 2);
    expect(maxCallFrameBytes('trust.verify')).toBeLessThan(largest / 2);
  });

  it('take real trusted roots, keys and CA certificates (upstream fixtures)', () => {
    const policy = {
      ...emptyTrustPolicy('registry.test', 'team/'),
      keys: [{ name: 'key.pub', pem: read('sigstore-conformance/managed-key-and-trusted-root/key.pub') }],
      trustedRoots: [
        { name: 'public-good', json: read('cosign/trusted_root_pgi.json') },
        { name: 'managed', json: read('sigstore-conformance/managed-key-and-trusted-root/trusted_root.json') },
      ],
      notationCAs: [{ name: 'notation', pem: read('notation-go/NotationTestRoot.pem') }],
    };
    expect(contract['trust.savePolicy'].input.safeParse({ policy }).success).toBe(true);
    expect(
      contract['trust.verify'].input.safeParse({ reference: 'registry.test/team/app:1', override: policy }).success,
    ).toBe(false); // an override carries no name/registry/namespace/required
    const { keys, trustedRoots, notationCAs } = policy;
    expect(
      contract['trust.verify'].input.safeParse({
        reference: 'registry.test/team/app:1',
        override: { keys, trustedRoots, notationCAs },
      }).success,
    ).toBe(true);
  });

  it('refuse a trusted root or key beyond what a real one needs', () => {
    const base = emptyTrustPolicy('registry.test', 'team/');
    const huge = (size: number) => 'x'.repeat(size);
    const tooBig = [
      { ...base, trustedRoots: [{ name: 'root', json: huge(64 * 1024 + 1) }] },
      { ...base, keys: [{ name: 'key', pem: huge(16 * 1024 + 1) }] },
      { ...base, notationCAs: Array.from({ length: 17 }, (_, i) => ({ name: `ca${i}`, pem: 'x' })) },
    ];
    for (const policy of tooBig) expect(contract['trust.savePolicy'].input.safeParse({ policy }).success).toBe(false);
  });
});
