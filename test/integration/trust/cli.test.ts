/**
 * `berth verify` as users run it (node bin/berth.mjs) against the world's anonymous registry: exit 0 when
 * the policy (the flags, else the settings' policy for the registry and namespace) is satisfied, 1 when
 * not, 2 on a usage error; the JSON has the promised keys.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { makeTempDir } from '../../env/process';
import { pushUniqueImage } from '../../env/unique-image';
import { uniqueName } from '../promotion/harness';
import { cosignLayer, keyPair, pushLayersManifest, signBytes, simpleSigningPayload } from './signer';

const world = inject('world');
const registry = world.anonymous;
let dir: string;
let env: NodeJS.ProcessEnv;
const key = keyPair('p256');
const otherKey = keyPair('ed25519');
let signedRef: string;
let unsignedRef: string;
let repository: string;
let digest: string;

beforeAll(async () => {
  dir = await makeTempDir('berth-verify-cli-');
  env = { HOME: dir, BERTH_CONFIG_DIR: join(dir, 'config'), DOCKER_CONFIG: join(dir, 'docker') };
  await writeFile(join(dir, 'cosign.pub'), key.publicPem);
  await writeFile(join(dir, 'other.pub'), otherKey.publicPem);
  await writeFile(join(dir, 'notes.txt'), 'not a key\n');
  repository = `${uniqueName('scratch')}/verify-cli`;
  const target = { host: registry.host };
  digest = (await pushUniqueImage(target, repository, 'signed', 1)).digest;
  await pushUniqueImage(target, repository, 'unsigned', 1);
  const payload = simpleSigningPayload(`${registry.host}/${repository}`, digest);
  await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
    cosignLayer(payload, signBytes(key.privateKey, payload)),
  ]);
  signedRef = `${registry.host}/${repository}:signed`;
  unsignedRef = `${registry.host}/${repository}:unsigned`;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(['verify', ...args], { env });

describe('berth verify', () => {
  it('--key: exit 0 and the JSON shape when a trusted key signed; exit 1 for another key or no signature', async () => {
    const good = await berth(signedRef, '--key', join(dir, 'other.pub'), '--key', join(dir, 'cosign.pub'), '--json');
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const json = JSON.parse(good.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      digest,
      verified: true,
      signatures: [{ kind: 'cosign', verified: true, signer: 'cosign.pub', reason: null }],
    });

    const wrong = await berth(signedRef, '--key', join(dir, 'other.pub'), '--json');
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      verified: false,
      signatures: [
        {
          kind: 'cosign',
          verified: false,
          signer: null,
          reason: expect.stringContaining('does not verify with any trusted key (other.pub)'),
        },
      ],
    });

    const none = await berth(unsignedRef, '--key', join(dir, 'cosign.pub'));
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('NOT VERIFIED');
    expect(none.stdout).toContain('no signatures found');
    expect(none.stdout).toContain('no referrers API');
  });

  it("without flags uses the settings' policy for the registry and namespace; none means not verified", async () => {
    const bare = await berth(signedRef);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('no trust policy for this registry and namespace');

    await mkdir(join(dir, 'config'), { recursive: true });
    const policy = {
      id: 'p1',
      name: 'scratch team',
      registry: registry.host,
      namespace: repository.split('/')[0],
      required: true,
      keys: [{ name: 'team key', pem: key.publicPem }],
      identities: [],
      trustedRoots: [],
      notationCAs: [],
      checkReference: true,
      acceptedReferences: [],
    };
    await writeFile(
      join(dir, 'config', 'settings.json'),
      JSON.stringify({ version: 1, registries: [], trustPolicies: [policy] }),
    );
    const policed = await berth(signedRef);
    expect(policed.stderr).toBe('');
    expect(policed.code).toBe(0);
    expect(policed.stdout).toContain('VERIFIED by policy "scratch team"');
    expect(policed.stdout).toMatch(/cosign\s+verified\s+team key/);
  });

  it('usage and input errors, an absent image and a malformed reference', async () => {
    const half = await berth(signedRef, '--identity', '.*');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--identity and --issuer go together');
    const missing = await berth(signedRef, '--key', join(dir, 'nope.pub'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Cannot read the key file ${join(dir, 'nope.pub')}: ENOENT`);
    const notKey = await berth(signedRef, '--key', join(dir, 'notes.txt'));
    expect(notKey.code).toBe(1);
    expect(notKey.stderr).toContain('"notes.txt" is not a PEM public key');
    const absent = await berth(`${registry.host}/${repository}:nope`, '--key', join(dir, 'cosign.pub'));
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^berth: .*nope/);
    expect(absent.stderr).not.toContain('    at ');
    const bad = await berth('NOT A REFERENCE');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^berth: /);
  });
});
