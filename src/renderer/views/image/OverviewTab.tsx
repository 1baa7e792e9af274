/** Overview: what the image is (digest, media type, platforms, created, sizes) and its labels. */
import { formatPlatform } from '../../../shared/reference';
import type { ImageDetails } from '../../../shared/types/registry';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes, formatRelative, formatTimestamp, plural } from '../../logic/format';
import { isIndexMediaType } from '../../logic/tag-rows';
import { DigestLink } from './DigestLink';
import { KeyValueTable } from './KeyValueTable';

const KIND_LABELS: Record<ImageDetails['manifest']['kind'], string> = {
  'oci-index': 'OCI image index (multi-platform)',
  'docker-list': 'Docker manifest list (multi-platform)',
  'oci-manifest': 'OCI image manifest',
  'docker-v2': 'Docker image manifest v2',
  'docker-schema1': 'Docker schema 1 (deprecated: read-only)',
  artifact: 'OCI artifact',
};

export function OverviewTab({
  details,
  reference,
  onDigest,
  onPlatform,
}: {
  details: ImageDetails;
  reference: string;
  onDigest: (digest: string) => void;
  onPlatform: (platform: string) => void;
}) {
  const { manifest, platformManifest, config } = details;
  const image = platformManifest ?? manifest;
  const labels = Object.entries(config?.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="tab-content overview">
      <dl className="props props-wide" aria-label="Image properties">
        <dt>Reference</dt>
        <dd>
          <code>{reference}</code> <CopyButton text={reference} label="Copy reference" />
        </dd>
        <dt>Digest</dt>
        <dd>
          <code>{manifest.digest}</code> <CopyButton text={manifest.digest} label="Copy manifest digest" />
        </dd>
        <dt>Media type</dt>
        <dd>
          <code>{manifest.mediaType}</code>
        </dd>
        <dt>Kind</dt>
        <dd>{KIND_LABELS[manifest.kind]}</dd>
        {manifest.artifactType ? (
          <>
            <dt>Artifact type</dt>
            <dd>
              <code>{manifest.artifactType}</code>
            </dd>
          </>
        ) : null}
        {isIndexMediaType(manifest.mediaType) && manifest.manifests ? (
          <>
            <dt>Platforms</dt>
            <dd>
              <ul className="platform-list" aria-label="Platform manifests">
                {manifest.manifests.map((m) => {
                  const name = m.platform ? formatPlatform(m.platform) : 'unknown';
                  const attestation = m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
                  return (
                    <li key={m.digest}>
                      {m.platform && !attestation && m.platform.os !== 'unknown' ? (
                        <button type="button" className="link-button" onClick={() => onPlatform(name)}>
                          {name}
                        </button>
                      ) : (
                        <span className="muted">{attestation ? 'attestation' : name}</span>
                      )}
                      <DigestLink digest={m.digest} onOpen={onDigest} />
                      <span className="muted">{formatBytes(m.size)}</span>
                    </li>
                  );
                })}
              </ul>
            </dd>
          </>
        ) : null}
        {platformManifest ? (
          <>
            <dt>Showing</dt>
            <dd>
              {config ? formatPlatform(config.platform) : 'platform image'}{' '}
              <DigestLink digest={platformManifest.digest} onOpen={onDigest} />
            </dd>
          </>
        ) : config ? (
          <>
            <dt>Platform</dt>
            <dd>{formatPlatform(config.platform)}</dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{config?.created ? `${formatTimestamp(config.created)} (${formatRelative(config.created)})` : '—'}</dd>
        {config?.author ? (
          <>
            <dt>Author</dt>
            <dd>{config.author}</dd>
          </>
        ) : null}
        <dt>Compressed size</dt>
        <dd>
          {formatBytes(details.compressedSize)}{' '}
          <span className="muted">in {plural(details.layers.length, 'layer')} (what a pull downloads)</span>
        </dd>
        <dt>Uncompressed size</dt>
        <dd>
          {details.uncompressedSize !== undefined ? (
            formatBytes(details.uncompressedSize)
          ) : (
            <span className="muted">Known once the layers are indexed (Files)</span>
          )}
        </dd>
        {image.subject ? (
          <>
            <dt>Refers to</dt>
            <dd>
              <DigestLink digest={image.subject.digest} onOpen={onDigest} />
            </dd>
          </>
        ) : null}
      </dl>
      <h3 className="section-title">
        Labels {labels.length > 0 ? <span className="muted">({labels.length})</span> : null}
      </h3>
      <KeyValueTable label="Labels" entries={labels} empty="No labels." />
    </div>
  );
}
