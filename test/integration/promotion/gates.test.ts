/**
 * Promotion follows trust, on the world's registry through the real backend: a lane stage's gates are
 * evaluated on the source and shown in the plan; a failing gate refuses the promotion before any write;
 * an override with a reason runs it and the audit log records both. Signatures and attestations are made
 * here (../trust/signer.ts) and pushed as cosign's tags, which promotion copies by default under the same
 * names and leaves behind when told not to (`withReferrers: false`, `--no-referrers`).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TrustPolicy } from '../../../src/shared/types/trust';
import { runCli } from '../../env/cli';
import { failure } from '../../env/failure';
import { keyPair, type KeyPair } from '../trust/signer';
import { startHarness, uniqueName, type Harness } from './harness';
import { pushSignedImage, type Finding } from './signed-image';

const world = inject('world');
const registry = world.anonymous;
const host = registry.host;

let harness: Harness;
let registryId: string;
let trusted: KeyPair;
let stranger: KeyPair;

beforeAll(async () => {
  harness = await startHarness([]);
  await harness.call('registries.add', { host, name: 'gates' });
  registryId = (await harness.call('registries.list', {})).find((entry) => entry.host === host)!.id;
  trusted = keyPair('p256');
  stranger = keyPair('p256');
});
afterAll(async () => {
  await harness?.close();
});

interface Source {
  namespace: string;
  repository: string;
  digest: string;
  ref: string;
  sigTag: string;
  attTag: string;
}

/** An image in `<ns>/dev/app`, signed (`.sig`) and with a vuln attestation (`.att`) by the given keys. */
async function signedImage(options: { attestedBy: KeyPair; findings: Finding[] }): Promise<Source> {
  const namespace = uniqueName('gates');
  const repository = `${namespace}/dev/app`;
  const { digest, sigTag, attTag } = await pushSignedImage({
    host,
    repository,
    tag: '1.0',
    signer: trusted,
    attester: options.attestedBy,
    findings: options.findings,
  });
  return { namespace, repository, digest, ref: `${host}/${repository}:1.0`, sigTag, attTag };
}

async function setUp(source: Source, gates: unknown[]): Promise<void> {
  const policy: Omit<TrustPolicy, 'id'> = {
    name: `team-${source.namespace}`,
    registry: host,
    namespace: `${source.namespace}/`,
    required: true,
    keys: [{ name: 'ci', pem: trusted.publicPem }],
    identities: [],
    trustedRoots: [],
    notationCAs: [],
    checkReference: false,
    acceptedReferences: [],
  };
  await harness.call('trust.savePolicy', { policy });
  const lanes = (await harness.call('promotion.lanes', {})).filter((lane) => lane.name !== source.namespace);
  await harness.call('promotion.setLanes', {
    lanes: [
      ...lanes,
      {
        name: source.namespace,
        stages: [
          { name: 'dev', registryId, namespace: `${source.namespace}/dev` },
          { name: 'prod', registryId, namespace: `${source.namespace}/prod`, gates: gates as never },
        ],
        tagRewrites: [],
      },
    ],
  });
}

/** The digest a tag has in the registry, read with a plain HEAD (not Berth's client). */
async function tagDigest(repository: string, tag: string): Promise<string | undefined> {
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return response.status === 200 ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

describe('lane stage gates', () => {
  it('show in the plan, refuse a failing promotion before any write, and run it with an audited override', async () => {
    const source = await signedImage({
      attestedBy: trusted,
      findings: [
        { id: 'CVE-2023-4911', pkg: 'libc6', severity: 'HIGH' },
        { id: 'CVE-2024-0001', pkg: 'zlib1g', severity: 'LOW' },
      ],
    });
    await setUp(source, [
      { kind: 'signature', policy: `team-${source.namespace}` },
      { kind: 'vulnerabilities', severity: 'high' },
      { kind: 'sbom' },
    ]);
    const target = `${source.namespace}/prod/app`;

    const step = await harness.call('promotion.next', { source: source.ref });
    expect(step.target).toBe(`${host}/${target}:1.0`);
    expect(step.plan.gates.map((gate) => [gate.gate.kind, gate.passed])).toEqual([
      ['signature', true],
      ['vulnerabilities', false],
      ['sbom', false],
    ]);
    const vulns = step.plan.gates[1]!;
    expect(vulns.evidence).toEqual(['attached']);
    expect(vulns.message).toMatch(/CVE-2023-4911 \(high, libc6\)/);
    expect(vulns.message).not.toMatch(/CVE-2024-0001/);
    expect(step.plan.gates[0]!.message).toMatch(/verified/);

    const refused = await failure(harness.call('promotion.next', { source: source.ref, execute: true }));
    expect(refused.code).toBe('conflict');
    expect(refused.details).toMatchObject({ reason: 'gate_failed', gates: 'vulnerabilities,sbom' });
    expect(refused.message).toMatch(/Nothing was written/);
    expect(await tagDigest(target, '1.0')).toBeUndefined();

    const tooShort = await failure(
      harness.call('promotion.next', { source: source.ref, execute: true, override: { reason: ' ' } }),
    );
    expect(tooShort.code).toBe('invalid_input');

    const reason = 'CVE-2023-4911 mitigated by seccomp; approved by security (ticket SEC-42)';
    const done = await harness.call('promotion.next', { source: source.ref, execute: true, override: { reason } });
    expect(done.result?.digest).toBe(source.digest);
    expect(await tagDigest(target, '1.0')).toBe(source.digest);

    const audit = await harness.call('promotion.audit', { query: target });
    expect(audit.map((entry) => entry.outcome)).toEqual(['success', 'refused']);
    expect(audit[0]!.override).toMatchObject({ reason });
    expect(audit[0]!.override!.gates.map((gate) => gate.gate.kind)).toEqual(['vulnerabilities', 'sbom']);
    expect(audit[1]!.message).toMatch(/gated/);
    expect(audit[1]!.override).toBeUndefined();
    // The reason is searchable in the log.
    expect((await harness.call('promotion.audit', { query: 'SEC-42' })).map((entry) => entry.target)).toEqual([
      `${host}/${target}:1.0`,
    ]);
  });

  it('an attestation whose envelope does not verify is labelled unverified and never satisfies a gate', async () => {
    const forged = await signedImage({ attestedBy: stranger, findings: [] });
    await setUp(forged, [{ kind: 'vulnerabilities', severity: 'critical' }]);
    const attached = await harness.call('vulns.attached', { reference: forged.ref });
    expect(attached.reports).toEqual([
      expect.objectContaining({
        format: 'cosign-vuln',
        verified: false,
        source: forged.attTag,
        scanner: 'pkg:github/aquasecurity/trivy@0.50.0',
      }),
    ]);
    const plan = (await harness.call('promotion.next', { source: forged.ref })).plan;
    expect(plan.gates).toEqual([
      expect.objectContaining({
        passed: false,
        evidence: [],
        message: expect.stringMatching(/1 unverified report not counted/),
      }),
    ]);

    const clean = await signedImage({
      attestedBy: trusted,
      findings: [{ id: 'CVE-2024-0001', pkg: 'zlib1g', severity: 'LOW' }],
    });
    await setUp(clean, [{ kind: 'vulnerabilities', severity: 'critical' }]);
    const passing = (await harness.call('promotion.next', { source: clean.ref })).plan;
    expect(passing.gates).toEqual([expect.objectContaining({ passed: true, evidence: ['attached'] })]);
    const counts = (await harness.call('vulns.attached', { reference: clean.ref })).counts;
    expect(counts).toMatchObject({ low: 1, critical: 0 });
  });

  it('berth promote: the plan prints each gate; a failing gate exits 1; --override REASON promotes', async () => {
    const source = await signedImage({
      attestedBy: trusted,
      findings: [{ id: 'CVE-2023-4911', pkg: 'libc6', severity: 'CRITICAL' }],
    });
    await setUp(source, [{ kind: 'vulnerabilities', severity: 'critical' }]);
    const target = `${host}/${source.namespace}/prod/app:1.0`;
    const env = harness.env;
    const plan = await runCli(['promote', source.ref, target, '--dry-run'], { env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /gate FAILED {4}no vulnerabilities at or above critical \(prod\): 1 at or above critical: CVE-2023-4911/,
    );
    const refused = await runCli(['promote', source.ref, target], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is gated: .*override with a reason/);
    const done = await runCli(['promote', source.ref, target, '--override', 'emergency fix, INC-9', '--json'], { env });
    expect(done.code).toBe(0);
    expect(await tagDigest(`${source.namespace}/prod/app`, '1.0')).toBe(source.digest);
    const [entry] = await harness.call('promotion.audit', { query: 'INC-9' });
    expect(entry).toMatchObject({ outcome: 'success', override: { reason: 'emergency fix, INC-9' } });
  });

  it('a gate naming a trust policy that does not exist fails, naming it', async () => {
    const source = await signedImage({ attestedBy: trusted, findings: [] });
    await setUp(source, [{ kind: 'signature', policy: 'nobody' }]);
    const plan = (await harness.call('promotion.next', { source: source.ref })).plan;
    expect(plan.gates[0]).toMatchObject({
      passed: false,
      message: expect.stringMatching(/no trust policy named "nobody"/),
    });
  });
});

describe('signatures travel with the image', () => {
  it("copies cosign's .sig and .att tags under the same names by default, and none with withReferrers: false", async () => {
    const source = await signedImage({ attestedBy: trusted, findings: [] });
    const copied = `${uniqueName('scratch')}/app`;
    const plan = await harness.call('promotion.plan', { source: source.ref, target: `${host}/${copied}:1.0` });
    expect(
      plan.manifests
        .filter((step) => step.tag?.startsWith('sha256-'))
        .map((step) => step.tag)
        .sort(),
    ).toEqual([source.attTag, source.sigTag].sort());
    const result = await harness.call('promotion.execute', { source: source.ref, target: `${host}/${copied}:1.0` });
    expect(result.referrersCopied).toBe(2);
    for (const tag of [source.sigTag, source.attTag])
      expect(await tagDigest(copied, tag)).toBe(await tagDigest(source.repository, tag));
    // Verified at the target too: the signature names the digest, which did not change.
    expect((await harness.call('trust.verify', { reference: `${host}/${copied}:1.0` })).signatures.length).toBe(1);

    const bare = `${uniqueName('scratch')}/app`;
    const none = await harness.call('promotion.execute', {
      source: source.ref,
      target: `${host}/${bare}:1.0`,
      withReferrers: false,
    });
    expect(none.referrersCopied).toBe(0);
    expect(await tagDigest(bare, source.sigTag)).toBeUndefined();
    expect(await tagDigest(bare, source.attTag)).toBeUndefined();
  });

  it('says signatures do not carry over where the digest changes (a platform subset)', async () => {
    const plan = await harness.call('promotion.plan', {
      source: `${host}/dev/multi:1.0`,
      target: `${host}/${uniqueName('scratch')}/multi:1.0`,
      platforms: ['linux/arm64'],
    });
    expect(plan.targetDigest).not.toBe(plan.sourceDigest);
    expect(plan.notes.join('\n')).toMatch(/Signatures of the source index do not carry over/);
  });
});
