/**
 * A hostile registry in front of the world's registry (the fake server plays only the broken peer; every
 * other request reaches the real one): a signature manifest that is not JSON, a signature layer whose bytes
 * do not match its digest, and a cosign `.sig` tag whose manifest is broken. Each is that one signature
 * reported invalid with its reason; the others are still verified, and `trust.verify` never fails whole.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import { startHostileServer, type HostileServer } from '../registry/hostile-server';
import {
  cosignLayer,
  keyPair,
  pushFallbackIndex,
  pushLayersManifest,
  replaceTrustPolicies,
  signBytes,
  simpleSigningPayload,
  trustPolicy,
} from './signer';

const world = inject('world');
const registry = world.anonymous;
const target = { host: registry.host };
const NOTATION = 'application/vnd.cncf.notary.signature';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let harness: Harness;
let proxy: HostileServer;
/** Request paths the proxy answers with `body` instead of forwarding. */
const broken = new Map<string, { contentType: string; body: Buffer }>();

function forward(incoming: IncomingMessage, outgoing: ServerResponse): void {
  const [host, port] = registry.host.split(':') as [string, string];
  const upstream = request(
    { host, port: Number(port), method: incoming.method, path: incoming.url, headers: incoming.headers },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on('error', () => outgoing.destroy());
  incoming.pipe(upstream);
}

beforeAll(async () => {
  harness = await startHarness([]);
  proxy = await startHostileServer((incoming, outgoing) => {
    const answer = broken.get(incoming.url ?? '');
    if (!answer) return forward(incoming, outgoing);
    outgoing.writeHead(200, { 'content-type': answer.contentType, 'content-length': String(answer.body.length) });
    outgoing.end(incoming.method === 'HEAD' ? undefined : answer.body);
  });
});
afterAll(async () => {
  await harness?.close();
  await proxy?.close();
});

async function signedImage(key: ReturnType<typeof keyPair>) {
  const repository = `${uniqueName('scratch')}/hostile`;
  const { digest } = await pushUniqueImage(target, repository, '1.0', 1);
  const payload = simpleSigningPayload(`${proxy.host}/${repository}`, digest);
  await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
    cosignLayer(payload, signBytes(key.privateKey, payload)),
  ]);
  await replaceTrustPolicies(harness, [
    trustPolicy(proxy.host, repository, { keys: [{ name: 'ci', pem: key.publicPem }] }),
  ]);
  return { repository, digest, ref: `${proxy.host}/${repository}:1.0` };
}

describe('signatures from a hostile registry', () => {
  it('a broken referrer manifest and a corrupted signature layer are each invalid; the good signature verifies', async () => {
    const key = keyPair('p256');
    const { repository, digest, ref } = await signedImage(key);
    const image = await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${digest}` });
    const subject = { mediaType: image.mediaType, digest, size: image.size };
    const notation = await pushLayersManifest(
      target,
      repository,
      'notation-referrer',
      [{ mediaType: 'application/jose+json', payload: Buffer.from('{}'), annotations: {} }],
      { artifactType: NOTATION, subject },
    );
    const bundleBytes = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const bundle = await pushLayersManifest(
      target,
      repository,
      'bundle-referrer',
      [{ mediaType: BUNDLE, payload: bundleBytes, annotations: {} }],
      { artifactType: BUNDLE, subject },
    );
    const sizeOf = async (manifest: string) =>
      (await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${manifest}` })).size;
    await pushFallbackIndex(target, repository, digest, [
      { digest: notation, size: await sizeOf(notation), artifactType: NOTATION },
      { digest: bundle, size: await sizeOf(bundle), artifactType: BUNDLE },
    ]);
    const bundleManifest = await harness.call('registry.manifest', {
      reference: `${registry.host}/${repository}@${bundle}`,
    });
    const bundleLayer = bundleManifest.layers?.[0]?.digest ?? 'no layer';
    broken.set(`/v2/${repository}/manifests/${notation}`, {
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      body: Buffer.from('{"schemaVersion": 2, "layers": [ not json'),
    });
    broken.set(`/v2/${repository}/blobs/${bundleLayer}`, {
      contentType: 'application/octet-stream',
      body: Buffer.alloc(bundleBytes.length, 'x'),
    });

    const trust = await harness.call('trust.verify', { reference: ref });
    expect(trust.verified).toBe(true);
    expect(trust.signatures).toHaveLength(3);
    expect(trust.signatures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'cosign', state: 'verified', signer: 'ci' }),
        expect.objectContaining({
          kind: 'notation',
          state: 'invalid',
          verified: false,
          source: notation,
          manifestDigest: notation,
          reason: expect.stringContaining(notation),
        }),
        expect.objectContaining({
          kind: 'sigstore-bundle',
          state: 'invalid',
          verified: false,
          source: bundle,
          reason: expect.stringContaining(`The signature layer ${bundleLayer} could not be read`),
        }),
      ]),
    );
    const states = await harness.call('trust.tagStates', { registryId: proxy.host, repository, digests: [digest] });
    expect(states).toEqual([{ digest, state: 'verified', signer: 'ci' }]);
  });

  it('a broken referrers fallback index is reported; the cosign tag is still verified', async () => {
    const { repository, digest, ref } = await signedImage(keyPair('p256'));
    broken.set(`/v2/${repository}/manifests/${digest.replace(':', '-')}`, {
      contentType: 'application/vnd.oci.image.index.v1+json',
      body: Buffer.from('{"schemaVersion": 2, "manifests": "not a list"}'),
    });
    const trust = await harness.call('trust.verify', { reference: ref });
    expect(trust).toMatchObject({ verified: true, satisfied: true });
    expect(trust.signatures).toEqual([expect.objectContaining({ kind: 'cosign', state: 'verified', signer: 'ci' })]);
    expect(trust.referrersProblem).toContain('The referrers could not be listed');
    // The Referrers tab and attestation readers (gates, reports, SBOMs) get the error: a partial list is not whole.
    await expect(harness.call('trust.referrers', { reference: ref })).rejects.toMatchObject({ code: 'bad_response' });
    await expect(harness.call('trust.attestations', { reference: ref })).rejects.toMatchObject({
      code: 'bad_response',
    });
  });

  it('a broken .sig tag manifest is an invalid cosign signature with its reason, not a failed verify', async () => {
    const { repository, digest, ref } = await signedImage(keyPair('ed25519'));
    const tag = `${digest.replace(':', '-')}.sig`;
    broken.set(`/v2/${repository}/manifests/${tag}`, {
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      body: Buffer.from('<html>502 Bad Gateway</html>'),
    });
    const trust = await harness.call('trust.verify', { reference: ref });
    expect(trust).toMatchObject({ verified: false, satisfied: false });
    expect(trust.signatures).toEqual([
      expect.objectContaining({ kind: 'cosign', state: 'invalid', source: tag, foundVia: 'cosign-tag' }),
    ]);
    expect(trust.signatures[0]!.reason).toContain(`${tag} is malformed: it is not valid JSON`);
  });
});
