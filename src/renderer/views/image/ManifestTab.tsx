/**
 * The manifest as JSON with every digest a link: a child manifest or subject opens that image, the
 * config digest shows the Config tab, a layer digest shows it in the Layers tab. For a multi-arch image
 * both the index and the shown platform's manifest are available.
 * Test hooks: region "Manifest JSON"; digest links are buttons with data-digest.
 */
import { useMemo, useState } from 'react';
import type { ImageDetails, ManifestInfo } from '../../../shared/types/registry';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from '../../logic/format';
import { prettyJson, tokenizeJson } from '../../logic/json-tokens';

export function ManifestTab({ details, onDigest }: { details: ImageDetails; onDigest: (digest: string) => void }) {
  const [which, setWhich] = useState<'index' | 'platform'>(details.platformManifest ? 'platform' : 'index');
  const manifest: ManifestInfo =
    which === 'platform' && details.platformManifest ? details.platformManifest : details.manifest;
  return (
    <div className="tab-content manifest">
      <div className="toolbar">
        {details.platformManifest ? (
          <div className="segmented" role="group" aria-label="Which manifest">
            <button type="button" aria-pressed={which === 'index'} onClick={() => setWhich('index')}>
              Index
            </button>
            <button type="button" aria-pressed={which === 'platform'} onClick={() => setWhich('platform')}>
              Platform manifest
            </button>
          </div>
        ) : null}
        <code className="muted truncate">{manifest.mediaType}</code>
        <span className="muted">{formatBytes(manifest.size)}</span>
        <span className="toolbar-spacer" />
        <CopyButton text={manifest.raw} label="Copy manifest JSON">
          Copy JSON
        </CopyButton>
      </div>
      <JsonView raw={manifest.raw} onDigest={onDigest} />
    </div>
  );
}

export function JsonView({ raw, onDigest }: { raw: string; onDigest: (digest: string) => void }) {
  const { text, formatted } = useMemo(() => prettyJson(raw), [raw]);
  const tokens = useMemo(() => tokenizeJson(text), [text]);
  return (
    <>
      {formatted && text !== raw ? (
        <p className="muted small">
          Formatted for reading; the digest covers the bytes as served (Copy JSON copies those).
        </p>
      ) : null}
      <pre className="json" role="region" aria-label="Manifest JSON" tabIndex={0}>
        {tokens.map((token, i) =>
          token.kind === 'digest' ? (
            <span key={i} className="json-string">
              "
              <button
                type="button"
                className="json-digest"
                data-digest={token.digest}
                title={`Open ${token.digest}`}
                onClick={() => onDigest(token.digest!)}
              >
                {token.digest}
              </button>
              "
            </span>
          ) : token.kind === 'space' || token.kind === 'punctuation' ? (
            token.text
          ) : (
            <span key={i} className={`json-${token.kind}`}>
              {token.text}
            </span>
          ),
        )}
      </pre>
    </>
  );
}
