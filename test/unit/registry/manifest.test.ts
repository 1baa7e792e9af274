import { describe, expect, it } from 'vitest';
import { coveredManifest, manifestInfo, parseManifest, schema1Payload } from '../../../src/main/registry/manifest';
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
    expect(coveredManifest(bytes, MediaType.OciManifest, ref).bytes).toBe(bytes);
    const info = manifestInfo(
      {
        ref: { ...ref, digest: D('f') },
        digest: D('f'),
        mediaType: parsed.mediaType,
        size: bytes.length,
        bytes,
        parsed,
      },
      ref,
    );
    expect(info).toMatchObject({
      kind: 'oci-manifest',
      raw: bytes.toString(),
      layers: [{ digest: D('1'), size: 100 }],
    });
  });

  it('uses the document mediaType when the server says application/json, and infers an index', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(image)), 'application/json', ref).mediaType).toBe(
      MediaType.OciManifest,
    );
    const index = {
      schemaVersion: 2,
      manifests: [
        { mediaType: MediaType.OciManifest, digest: D('2'), size: 5, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    };
    expect(parseManifest(Buffer.from(JSON.stringify(index)), undefined, ref)).toMatchObject({
      form: 'index',
      mediaType: MediaType.OciIndex,
    });
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['not an object', '[1]', 'not a JSON object'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not UTF-8'],
    [
      'a bad digest',
      JSON.stringify({ ...image, layers: [{ mediaType: 'x', digest: 'sha256:1', size: 1 }] }),
      'layers.0.digest',
    ],
    ['a negative size', JSON.stringify({ ...image, config: { ...image.config, size: -1 } }), 'config.size'],
    ['a wrong schemaVersion', JSON.stringify({ ...image, schemaVersion: 3 }), 'schemaVersion'],
    [
      'a media type contradicting the header',
      JSON.stringify({ ...image, mediaType: MediaType.DockerManifest }),
      'says it is',
    ],
  ])('refuses %s', (_what, body, why) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    expect(() => parseManifest(bytes, MediaType.OciManifest, ref)).toThrow(
      expect.objectContaining({ code: 'bad_response', message: expect.stringContaining(why) }),
    );
  });

  describe('signed schema 1 (libtrust formatLength/formatTail)', () => {
    const signedAs = (payload: string, between = '') => {
      const formatLength = payload.length - 2;
      const formatTail = Buffer.from(payload.slice(formatLength)).toString('base64url');
      const protectedHeader = Buffer.from(
        JSON.stringify({ formatLength, formatTail, time: '2020-01-01T00:00:00Z' }),
      ).toString('base64url');
      return Buffer.from(
        `${payload.slice(0, formatLength)}${between},\n   "signatures": [{"header": {}, "signature": "sig", "protected": "${protectedHeader}"}]\n}`,
      );
    };
    const payload =
      '{\n   "schemaVersion": 1,\n   "name": "a/b",\n   "tag": "1",\n   "fsLayers": [{"blobSum": "' + D('a') + '"}]\n}';

    it('keeps, parses and shows only the payload the digest covers, without the signatures', () => {
      const bytes = signedAs(payload);
      expect(schema1Payload(bytes, parseManifest(bytes, MediaType.DockerSchema1Signed, ref)).toString()).toBe(payload);
      const covered = coveredManifest(bytes, MediaType.DockerSchema1Signed, ref);
      expect(covered.bytes.toString()).toBe(payload);
      expect(covered.parsed).toMatchObject({
        form: 'schema1',
        mediaType: MediaType.DockerSchema1Signed,
        fsLayers: [{ blobSum: D('a') }],
      });
      expect(covered.parsed).not.toHaveProperty('signatures');
      const info = manifestInfo(
        {
          ref: { ...ref, digest: D('e') },
          digest: D('e'),
          mediaType: covered.parsed.mediaType,
          size: covered.bytes.length,
          bytes: covered.bytes,
          parsed: covered.parsed,
        },
        ref,
      );
      expect(info).toMatchObject({ kind: 'docker-schema1', deprecated: true, raw: payload });
    });

    it('drops content put outside the payload (a second fsLayers JSON.parse would prefer)', () => {
      const covered = coveredManifest(
        signedAs(payload, `,\n   "fsLayers": [{"blobSum": "${D('b')}"}]`),
        MediaType.DockerSchema1Signed,
        ref,
      );
      expect(covered.bytes.toString()).toBe(payload);
      expect(covered.parsed).toMatchObject({ fsLayers: [{ blobSum: D('a') }] });
    });

    it('refuses a payload that carries signatures of its own', () => {
      const nested = '{\n   "schemaVersion": 1,\n   "fsLayers": [],\n   "signatures": [{"protected": "e30"}]\n}';
      expect(() => coveredManifest(signedAs(nested), MediaType.DockerSchema1Signed, ref)).toThrow(
        expect.objectContaining({ code: 'bad_response', message: expect.stringContaining('signatures of its own') }),
      );
    });
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
