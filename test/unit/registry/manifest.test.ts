import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { manifestDigest, manifestInfo, parseManifest, schema1Payload } from '../../../src/main/registry/manifest';
import { manifestKind, MediaType, referrerType } from '../../../src/main/registry/media-types';

const ref = { registry: 'r.example', repository: 'a/b', tag: '1' };
const D = (c: string) => `sha256:${c.repeat(64)}`;
const image = {
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  config: { mediaType: MediaType.OciConfig, digest: D('c'), size: 10 },
  layers: [{ mediaType: MediaType.OciLayerGzip, digest: D('1'), size: 100 }],
};

describe('parseManifest', () => {
  it('parses an OCI image manifest and keeps the exact bytes for the digest', () => {
    const bytes = Buffer.from(JSON.stringify(image, null, 3));
    const parsed = parseManifest(bytes, 'application/vnd.oci.image.manifest.v1+json; charset=utf-8', ref);
    expect(parsed.form).toBe('image');
    expect(manifestDigest(bytes, parsed)).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    const info = manifestInfo({ ref: { ...ref, digest: D('f') }, digest: D('f'), mediaType: parsed.mediaType, size: bytes.length, bytes, parsed }, ref);
    expect(info).toMatchObject({ kind: 'oci-manifest', raw: bytes.toString(), layers: [{ digest: D('1'), size: 100 }] });
  });

  it('uses the document mediaType when the server says application/json, and infers an index', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(image)), 'application/json', ref).mediaType).toBe(MediaType.OciManifest);
    const index = { schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, digest: D('2'), size: 5, platform: { os: 'linux', architecture: 'arm64' } }] };
    expect(parseManifest(Buffer.from(JSON.stringify(index)), undefined, ref)).toMatchObject({ form: 'index', mediaType: MediaType.OciIndex });
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['not an object', '[1]', 'not a JSON object'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not UTF-8'],
    ['a bad digest', JSON.stringify({ ...image, layers: [{ mediaType: 'x', digest: 'sha256:1', size: 1 }] }), 'layers.0.digest'],
    ['a negative size', JSON.stringify({ ...image, config: { ...image.config, size: -1 } }), 'config.size'],
    ['a wrong schemaVersion', JSON.stringify({ ...image, schemaVersion: 3 }), 'schemaVersion'],
    ['a media type contradicting the header', JSON.stringify({ ...image, mediaType: MediaType.DockerManifest }), 'says it is'],
  ])('refuses %s', (_what, body, why) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    expect(() => parseManifest(bytes, MediaType.OciManifest, ref)).toThrow(expect.objectContaining({ code: 'bad_response', message: expect.stringContaining(why) }));
  });

  it('hashes a signed schema 1 manifest without its signatures (libtrust formatLength/formatTail)', () => {
    const payload = '{\n   "schemaVersion": 1,\n   "name": "a/b",\n   "tag": "1",\n   "fsLayers": [{"blobSum": "' + D('a') + '"}]\n}';
    const formatLength = payload.length - 2;
    const formatTail = Buffer.from(payload.slice(formatLength)).toString('base64url');
    const protectedHeader = Buffer.from(JSON.stringify({ formatLength, formatTail, time: '2020-01-01T00:00:00Z' })).toString('base64url');
    const signed = `${payload.slice(0, formatLength)},\n   "signatures": [{"header": {}, "signature": "sig", "protected": "${protectedHeader}"}]\n}`;
    const bytes = Buffer.from(signed);
    const parsed = parseManifest(bytes, MediaType.DockerSchema1Signed, ref);
    expect(schema1Payload(bytes, parsed).toString()).toBe(payload);
    expect(manifestDigest(bytes, parsed)).toBe(`sha256:${createHash('sha256').update(payload).digest('hex')}`);
    const info = manifestInfo({ ref: { ...ref, digest: D('e') }, digest: D('e'), mediaType: parsed.mediaType, size: bytes.length, bytes, parsed }, ref);
    expect(info).toMatchObject({ kind: 'docker-schema1', deprecated: true });
  });
});

describe('media types', () => {
  it('names manifest kinds, artifacts included', () => {
    expect(manifestKind(MediaType.DockerList)).toBe('docker-list');
    expect(manifestKind(MediaType.OciManifest, MediaType.OciConfig)).toBe('oci-manifest');
    expect(manifestKind(MediaType.OciManifest, MediaType.OciEmpty, 'application/spdx+json')).toBe('artifact');
    expect(manifestKind(MediaType.OciManifest, 'application/vnd.dev.cosign.simplesigning.v1+json')).toBe('artifact');
  });

  it.each([
    ['application/vnd.dev.cosign.artifact.sig.v1+json', 'signature'],
    ['application/vnd.cncf.notary.signature', 'signature'],
    ['application/spdx+json', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['application/vnd.dsse.envelope.v1+json', 'attestation'],
    ['application/vnd.example.thing', 'other'],
  ])('%s is a %s', (artifactType, type) => {
    expect(referrerType(artifactType)).toBe(type);
  });
});
