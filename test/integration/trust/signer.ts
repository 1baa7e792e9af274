/**
 * Makes signatures the way cosign, Sigstore and Notation do, independently of src/ (Node's crypto and the
 * openssl CLI only), and pushes them to a test registry:
 * - cosign key-based: the simple-signing payload signed into `dev.cosignproject.cosign/signature` of a layer
 *   in the manifest tagged `sha256-<hex>.sig` (cosign specs/SIGNATURE_SPEC.md);
 * - keyless: a test CA (a private "Fulcio") issues a short-lived certificate with a SAN and the Fulcio OIDC
 *   issuer extension; a test "Rekor" key signs the entry timestamp (SET) over a hashedrekord body; a
 *   trusted_root.json names both;
 * - DSSE envelopes (in-toto statements) signed over the PAE.
 */
import { constants, createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from '../../env/process';
import { SeedPusher, type PushTarget } from '../../env/pusher';
import { MEDIA_TYPES } from '../../env/seed';
import { emptyTrustPolicy } from '../../../src/shared/trust-policy';
import type { BerthApi } from '../../../src/shared/contract';
import type { TrustPolicy } from '../../../src/shared/types/trust';

/**
 * Puts `policies` in place of every stored trust policy, the way the Settings view saves: one policy per call
 * (`trust.removePolicy`, then `trust.savePolicy`). The list after.
 */
export async function replaceTrustPolicies(
  api: Pick<BerthApi, 'call'>,
  policies: (Omit<TrustPolicy, 'id'> & { id?: string })[],
): Promise<TrustPolicy[]> {
  let list = await api.call('trust.policies', {});
  for (const { id } of list) list = await api.call('trust.removePolicy', { id });
  for (const policy of policies) list = await api.call('trust.savePolicy', { policy });
  return list;
}

/** A trust policy for one repository of `host` (required signature, nothing trusted unless `fields` says so). */
export function trustPolicy(
  host: string,
  repository: string,
  fields: Partial<TrustPolicy> = {},
): Omit<TrustPolicy, 'id'> {
  return { ...emptyTrustPolicy(host, repository, repository), ...fields };
}

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE = 'application/vnd.dsse.envelope.v1+json';

export interface KeyPair {
  privateKey: KeyObject;
  publicPem: string;
}

export function keyPair(type: 'p256' | 'ed25519' | 'rsa'): KeyPair {
  const pair =
    type === 'p256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** cosign's signing: SHA-256 for ECDSA (DER) and RSA (PKCS#1 v1.5), the bytes themselves for Ed25519. */
export function signBytes(key: KeyObject, data: Buffer): Buffer {
  return sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key);
}

export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

export interface SignatureLayerSpec {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

/** Pushes an OCI manifest with these layers under `tag` (e.g. `sha256-<hex>.sig`), as cosign does. */
export async function pushLayersManifest(
  target: PushTarget,
  repository: string,
  reference: string,
  layers: SignatureLayerSpec[],
  extra: { artifactType?: string; subject?: { mediaType: string; digest: string; size: number } } = {},
): Promise<string> {
  const pusher = new SeedPusher(target);
  const config = extra.artifactType
    ? Buffer.from('{}')
    : Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } }));
  const configBlob = await pusher.pushBlob(repository, config);
  const descriptors = [];
  for (const layer of layers) {
    const blob = await pusher.pushBlob(repository, layer.payload);
    descriptors.push({ mediaType: layer.mediaType, ...blob, annotations: layer.annotations });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      ...(extra.artifactType ? { artifactType: extra.artifactType } : {}),
      config: { mediaType: extra.artifactType ? MEDIA_TYPES.ociEmpty : MEDIA_TYPES.ociConfig, ...configBlob },
      layers: descriptors,
      ...(extra.subject ? { subject: extra.subject } : {}),
    }),
  );
  return pusher.pushManifest(repository, reference, manifest, MEDIA_TYPES.ociManifest);
}

/** The referrers tag-schema fallback: an index under `sha256-<hex>` listing the referrers (distribution 2.8 has no API). */
export async function pushFallbackIndex(
  target: PushTarget,
  repository: string,
  subjectDigest: string,
  entries: { digest: string; size: number; artifactType: string }[],
): Promise<void> {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: entries.map((entry) => ({ mediaType: MEDIA_TYPES.ociManifest, ...entry })),
    }),
  );
  await new SeedPusher(target).pushManifest(repository, subjectDigest.replace(':', '-'), index, MEDIA_TYPES.ociIndex);
}

export function cosignLayer(
  payload: Buffer,
  signature: Buffer,
  extra: Record<string, string> = {},
): SignatureLayerSpec {
  return {
    mediaType: SIMPLE_SIGNING,
    payload,
    annotations: { 'dev.cosignproject.cosign/signature': signature.toString('base64'), ...extra },
  };
}

/** A DSSE envelope over an in-toto statement about `digest`, signed with `key`. */
export function dsseEnvelope(key: KeyObject, digest: string, predicateType: string, predicate: unknown): Buffer {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256: digest.replace('sha256:', '') } }],
      predicateType,
      predicate,
    }),
  );
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${statement.length} `);
  const signature = signBytes(key, Buffer.concat([pae, statement]));
  return Buffer.from(
    JSON.stringify({
      payloadType,
      payload: statement.toString('base64'),
      signatures: [{ keyid: '', sig: signature.toString('base64') }],
    }),
  );
}

/** RFC 8785-style canonical JSON for the small objects Rekor signs (sorted keys, no spaces). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** A private key of `type` made by openssl, in `path`.key. */
async function opensslKey(path: string, type: 'ec' | 'rsa'): Promise<void> {
  await run(
    'openssl',
    type === 'ec'
      ? ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${path}.key`]
      : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${path}.key`],
  );
}

/** A self-signed CA certificate (`path`.pem) and its key (`path`.key). */
async function opensslCa(path: string, type: 'ec' | 'rsa', subject: string): Promise<string> {
  await opensslKey(path, type);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    `${path}.key`,
    '-subj',
    subject,
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${path}.pem`,
  ]);
  return readFile(`${path}.pem`, 'utf8');
}

/** A leaf certificate (`path`.pem, key `path`.key) issued by the CA at `ca` with these extension lines. */
async function opensslLeaf(
  path: string,
  ca: string,
  options: { type: 'ec' | 'rsa'; subject: string; serial: number; days: number; extensions: string[] },
): Promise<{ key: KeyObject; pem: string }> {
  await opensslKey(path, options.type);
  await run('openssl', ['req', '-new', '-key', `${path}.key`, '-subj', options.subject, '-out', `${path}.csr`]);
  await writeFile(`${path}.ext`, options.extensions.join('\n'));
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    `${path}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    String(options.serial),
    '-days',
    String(options.days),
    '-extfile',
    `${path}.ext`,
    '-out',
    `${path}.pem`,
  ]);
  return { key: createPrivateKey(await readFile(`${path}.key`)), pem: await readFile(`${path}.pem`, 'utf8') };
}

export interface TestSigstore {
  /** trusted_root.json naming the test CA and the test log key. */
  trustedRoot: string;
  caPem: string;
  /** Issues a leaf certificate for `san` (email) from `issuer` (OIDC) and signs `data` keylessly. */
  signKeyless(
    data: Buffer,
    options: { san: string; issuer: string; integratedTime?: number; withChain?: boolean },
  ): Promise<{ signature: Buffer; certificatePem: string; rekorBundle: string }>;
  /** The Rekor entry cosign attaches to a key-based signature of `data` (its `bundle` annotation), signed by the log key. */
  logKeyed(data: Buffer, signature: Buffer, publicPem: string): string;
  /** A complete v0.3 Sigstore bundle (message signature over `artifact`, inclusion promise). */
  bundle(artifact: Buffer, options: { san: string; issuer: string }): Promise<unknown>;
}

/** A private Sigstore: a CA made with openssl (Fulcio's role) and an ECDSA log key (Rekor's role). */
export async function createTestSigstore(name = 'berth-test'): Promise<TestSigstore> {
  const dir = await makeTempDir('berth-sigstore-');
  const ca = join(dir, 'ca');
  const caPem = await opensslCa(ca, 'ec', `/O=${name}/CN=${name}-fulcio`);
  const caDer = Buffer.from(caPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
  const log = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const logSpki = log.publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(logSpki).digest();
  const trustedRoot = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.invalid',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: logSpki.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: name, commonName: `${name}-fulcio` },
        uri: 'https://fulcio.invalid',
        certChain: { certificates: [{ rawBytes: caDer.toString('base64') }] },
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
  let serial = 0;
  const issue = async (san: string, issuer: string) => {
    serial++;
    const leaf = join(dir, `leaf-${serial}`);
    return opensslLeaf(leaf, ca, {
      type: 'ec',
      subject: '/O=sigstore.dev',
      serial: 1000 + serial,
      days: 1,
      extensions: [
        `subjectAltName=critical,email:${san}`,
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        // Fulcio's v1 issuer extension holds the URL's raw bytes (docs/oid-info.md).
        `1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(issuer).toString('hex')}`,
      ],
    });
  };
  const logEntry = (data: Buffer, signature: Buffer, certificatePem: string, integratedTime: number) => {
    const body = Buffer.from(
      canonical({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') } },
          signature: {
            content: signature.toString('base64'),
            publicKey: { content: Buffer.from(certificatePem).toString('base64') },
          },
        },
      }),
    );
    const logIndex = 4242 + serial;
    const set = sign(
      'sha256',
      Buffer.from(canonical({ body: body.toString('base64'), integratedTime, logID: logId.toString('hex'), logIndex })),
      log.privateKey,
    );
    return { body, logIndex, set };
  };
  /** cosign's `dev.sigstore.cosign/bundle` annotation: the entry and its signed entry timestamp. */
  const rekorAnnotation = (data: Buffer, signature: Buffer, publicPem: string, integratedTime: number) => {
    const entry = logEntry(data, signature, publicPem, integratedTime);
    return JSON.stringify({
      SignedEntryTimestamp: entry.set.toString('base64'),
      Payload: {
        body: entry.body.toString('base64'),
        integratedTime,
        logIndex: entry.logIndex,
        logID: logId.toString('hex'),
      },
    });
  };
  /** A two-leaf RFC 6962 tree (this entry at index 0) and a checkpoint signed by the log key as a signed note. */
  const inclusionProof = (body: Buffer) => {
    const hash = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaf = hash(Buffer.from([0]), body);
    const sibling = hash(Buffer.from([0]), Buffer.from('another entry'));
    const root = hash(Buffer.from([1]), leaf, sibling);
    const note = `rekor.invalid - 1\n2\n${root.toString('base64')}\n`;
    const noteSignature = sign('sha256', Buffer.from(note), log.privateKey);
    const envelope = `${note}\n\u2014 rekor.invalid ${Buffer.concat([logId.subarray(0, 4), noteSignature]).toString('base64')}\n`;
    return {
      logIndex: '0',
      rootHash: root.toString('base64'),
      treeSize: '2',
      hashes: [sibling.toString('base64')],
      checkpoint: { envelope },
    };
  };
  return {
    trustedRoot,
    caPem,
    async signKeyless(data, options) {
      const leaf = await issue(options.san, options.issuer);
      const signature = sign('sha256', data, leaf.key);
      const integratedTime = options.integratedTime ?? Math.floor(Date.now() / 1000);
      const rekorBundle = rekorAnnotation(data, signature, leaf.pem, integratedTime);
      return { signature, certificatePem: leaf.pem, rekorBundle };
    },
    logKeyed(data, signature, publicPem) {
      return rekorAnnotation(data, signature, publicPem, Math.floor(Date.now() / 1000));
    },
    async bundle(artifact, options) {
      const leaf = await issue(options.san, options.issuer);
      const signature = sign('sha256', artifact, leaf.key);
      const integratedTime = Math.floor(Date.now() / 1000);
      const entry = logEntry(artifact, signature, leaf.pem, integratedTime);
      const leafDer = Buffer.from(leaf.pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
      return {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: {
          certificate: { rawBytes: leafDer.toString('base64') },
          tlogEntries: [
            {
              logIndex: String(entry.logIndex),
              logId: { keyId: logId.toString('base64') },
              kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
              integratedTime: String(integratedTime),
              inclusionPromise: { signedEntryTimestamp: entry.set.toString('base64') },
              inclusionProof: inclusionProof(entry.body),
              canonicalizedBody: entry.body.toString('base64'),
            },
          ],
          timestampVerificationData: {},
        },
        messageSignature: {
          messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(artifact).digest('base64') },
          signature: signature.toString('base64'),
        },
      };
    },
  };
}

export const NOTATION_TYPE = 'application/vnd.cncf.notary.signature';
export const JWS_TYPE = 'application/jose+json';

export interface TestNotary {
  caPem: string;
  /** A Notation JWS envelope (notary.x509, PS256, x5c = leaf + CA) over the descriptor of the signed manifest. */
  sign(
    target: { mediaType: string; digest: string; size: number },
    options?: { expiry?: string; tamper?: boolean },
  ): Buffer;
}

/** A Notation signer: an RSA CA and leaf made with openssl, the JWS built as the Notary Project's JWS envelope spec says. */
export async function createTestNotary(name = 'berth-notary'): Promise<TestNotary> {
  const dir = await makeTempDir('berth-notary-');
  const ca = join(dir, 'ca');
  const caPem = await opensslCa(ca, 'rsa', `/O=${name}/CN=${name} CA`);
  const { key, pem: leafPem } = await opensslLeaf(join(dir, 'leaf'), ca, {
    type: 'rsa',
    subject: `/O=${name}/CN=${name} signer`,
    serial: 7,
    days: 30,
    extensions: ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=codeSigning'],
  });
  const der = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  return {
    caPem,
    sign(target, options = {}) {
      const header = {
        alg: 'PS256',
        crit: ['io.cncf.notary.signingScheme', ...(options.expiry ? ['io.cncf.notary.expiry'] : [])],
        cty: 'application/vnd.cncf.notary.payload.v1+json',
        'io.cncf.notary.signingScheme': 'notary.x509',
        'io.cncf.notary.signingTime': new Date().toISOString(),
        ...(options.expiry ? { 'io.cncf.notary.expiry': options.expiry } : {}),
      };
      const protectedPart = Buffer.from(JSON.stringify(header)).toString('base64url');
      const payloadPart = Buffer.from(JSON.stringify({ targetArtifact: target })).toString('base64url');
      const signature = sign('sha256', Buffer.from(`${protectedPart}.${payloadPart}`), {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      const shownPayload = options.tamper
        ? Buffer.from(JSON.stringify({ targetArtifact: { ...target, size: target.size + 1 } })).toString('base64url')
        : payloadPart;
      return Buffer.from(
        JSON.stringify({
          payload: shownPayload,
          protected: protectedPart,
          header: { x5c: [der(leafPem), der(caPem)], 'io.cncf.notary.signingAgent': 'berth-test' },
          signature: signature.toString('base64url'),
        }),
      );
    },
  };
}
