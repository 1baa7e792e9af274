/**
 * One image (a tag or a digest, optionally one platform of a multi-arch index): overview, config, layers
 * with their history steps, the manifest with every digest a link, and referrers (signatures, SBOMs,
 * attestations). Copy actions for `docker pull` by tag and by digest.
 * Test hooks: tablist "Image"; tabs Overview / Config / Layers / Manifest / Referrers / Trust / Vulnerabilities / Lineage; group "Platforms"
 * with one button per platform (aria-pressed); [data-testid=image-digest].
 */
import { useEffect, useState } from 'react';
import type { ImageDetails } from '../../../shared/types/registry';
import { formatPlatform, type ImageReference } from '../../../shared/reference';
import { CopyButton } from '../../components/CopyButton';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { Tabs } from '../../components/Tabs';
import { Breadcrumbs, type Crumb } from '../../components/Breadcrumbs';
import { shortDigest } from '../../logic/format';
import { shareableLink } from '../../logic/links';
import { digestReference, pullByDigest, pullByTag, tryParseReference } from '../../logic/references';
import { imagePlatforms } from '../../logic/tag-rows';
import { OutsideLinkPrompt, useOutsideLinkGate } from '../../navigation/OutsideLinkPrompt';
import { useNavigation } from '../../navigation/store';
import { inspectionKey, useImages } from '../../stores/images';
import { findRegistryByHost, useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { ConfigTab } from './ConfigTab';
import { LayersTab } from './LayersTab';
import { ManifestTab } from './ManifestTab';
import { OverviewTab } from './OverviewTab';
import { ReferrersTab } from './ReferrersTab';
import { TrustTab } from '../trust/TrustTab';
import { VulnsTab } from '../vulns/VulnsTab';
import { PromoteMenu } from '../promote/PromoteMenu';
import { LineagePanel } from '../lineage/LineagePanel';

export type ImageTab = 'overview' | 'config' | 'layers' | 'manifest' | 'referrers' | 'lineage' | 'trust' | 'vulns';

/** `fromOutside`: opened by a link, reload or back/forward (see navigation/store.ts). */
export function ImageView({
  reference,
  platform,
  fromOutside = false,
}: {
  reference: string;
  platform?: string;
  fromOutside?: boolean;
}) {
  const parsed = tryParseReference(reference);
  if (!parsed) {
    return (
      <ErrorState
        error={{
          code: 'invalid_input',
          message: `"${reference}" is not an image reference (host/repository:tag or @sha256:…).`,
        }}
        context="Image"
      />
    );
  }
  return (
    <ImageBody key={reference} reference={reference} parsed={parsed} platform={platform} fromOutside={fromOutside} />
  );
}

function ImageBody({
  reference,
  parsed,
  platform,
  fromOutside,
}: {
  reference: string;
  parsed: ImageReference;
  platform?: string;
  fromOutside: boolean;
}) {
  const inspection = useImages((s) => s.inspections[inspectionKey(reference, platform)]);
  const inspect = useImages((s) => s.inspect);
  const registry = useRegistries((s) => findRegistryByHost(s.list?.value, parsed.registry));
  const navigate = useNavigation((s) => s.navigate);
  const openDialog = useUi((s) => s.openDialog);
  const [tab, setTab] = useState<ImageTab>('overview');
  const [highlight, setHighlight] = useState<string | undefined>();
  const gate = useOutsideLinkGate(reference, fromOutside);
  const open = gate.state === 'open';

  useEffect(() => {
    if (open) void inspect(reference, platform);
  }, [inspect, reference, platform, open]);

  const details = inspection?.value;
  const label = parsed.tag ? `:${parsed.tag}` : parsed.digest ? `@${shortDigest(parsed.digest)}` : ':latest';
  const namespace = parsed.repository.split('/').slice(0, -1);
  const repoName = parsed.repository.split('/').pop() ?? parsed.repository;
  const crumbs: Crumb[] = [
    registry
      ? { label: registry.name, onSelect: () => navigate({ view: 'registry', registryId: registry.id }) }
      : { label: parsed.registry },
    ...namespace.map((part, i) => ({
      label: part,
      ...(registry
        ? {
            onSelect: () =>
              navigate({ view: 'registry', registryId: registry.id, namespace: namespace.slice(0, i + 1).join('/') }),
          }
        : {}),
    })),
    {
      label: repoName,
      ...(registry
        ? { onSelect: () => navigate({ view: 'repository', registryId: registry.id, repository: parsed.repository }) }
        : {}),
    },
    { label },
  ];

  const openDigest = (digest: string) =>
    navigate({ view: 'image', reference: digestReference(parsed.registry, parsed.repository, digest) });
  const onManifestDigest = (digest: string) => {
    if (!details) return;
    const image = details.platformManifest ?? details.manifest;
    if (image.config?.digest === digest || details.config?.digest === digest) setTab('config');
    else if (image.layers?.some((l) => l.digest === digest)) {
      setHighlight(digest);
      setTab('layers');
    } else openDigest(digest);
  };

  return (
    <div className="view image-view">
      <header className="view-header">
        <Breadcrumbs crumbs={crumbs} />
        <div className="view-actions">
          {parsed.tag ? (
            <CopyButton
              text={pullByTag(parsed.registry, parsed.repository, parsed.tag)}
              label="Copy docker pull by tag"
            >
              pull :tag
            </CopyButton>
          ) : null}
          {details ? (
            <CopyButton
              text={pullByDigest(parsed.registry, parsed.repository, details.manifest.digest)}
              label="Copy docker pull by digest"
            >
              pull @digest
            </CopyButton>
          ) : null}
          <CopyButton
            text={shareableLink(platform ? { view: 'image', reference, platform } : { view: 'image', reference })}
            label="Copy link to this image"
          />
          <button
            type="button"
            className="button button-small"
            onClick={() => navigate({ view: 'layers', reference })}
            title="Browse the image's files layer by layer"
          >
            <Icon name="layers" size={12} /> Files
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => navigate({ view: 'compare', a: reference })}
            title="Compare with another tag"
          >
            <Icon name="compare" size={12} /> Compare
          </button>
          {registry && parsed.tag ? (
            <PromoteMenu
              image={{
                reference,
                registryId: registry.id,
                repository: parsed.repository,
                tag: parsed.tag,
                digest: details?.manifest.digest ?? '',
              }}
            />
          ) : null}
        </div>
      </header>
      {gate.state !== 'open' ? (
        <OutsideLinkPrompt gate={gate} reference={reference} />
      ) : !inspection || (inspection.status === 'loading' && !details) ? (
        <LoadingState label={`Reading ${parsed.repository}${label}…`} detail="Manifest, then config" />
      ) : inspection.status === 'error' && !details ? (
        <ErrorState
          error={inspection.error}
          context={`${parsed.repository}${label}`}
          handlers={{
            retry: () => void inspect(reference, platform, { force: true }),
            ...(registry ? { signIn: () => openDialog({ kind: 'signIn', registryId: registry.id }) } : {}),
            ...(!registry ? { openSettings: () => navigate({ view: 'settings' }) } : {}),
          }}
        />
      ) : details ? (
        <>
          <ImageSummary details={details} reference={reference} platform={platform} />
          <Tabs<ImageTab>
            label="Image"
            selected={tab}
            onSelect={setTab}
            tabs={[
              { id: 'overview', label: 'Overview' },
              { id: 'config', label: 'Config' },
              { id: 'layers', label: 'Layers', badge: details.layers.length },
              { id: 'manifest', label: 'Manifest' },
              { id: 'referrers', label: 'Referrers' },
              { id: 'trust', label: 'Trust' },
              { id: 'vulns', label: 'Vulnerabilities' },
              { id: 'lineage', label: 'Lineage' },
            ]}
          >
            {tab === 'overview' ? (
              <OverviewTab
                details={details}
                reference={reference}
                onDigest={onManifestDigest}
                onPlatform={(p) => navigate({ view: 'image', reference, platform: p })}
              />
            ) : tab === 'config' ? (
              <ConfigTab details={details} />
            ) : tab === 'layers' ? (
              <LayersTab details={details} highlight={highlight} />
            ) : tab === 'manifest' ? (
              <ManifestTab details={details} onDigest={onManifestDigest} />
            ) : tab === 'trust' ? (
              <TrustTab reference={digestReference(parsed.registry, parsed.repository, details.manifest.digest)} />
            ) : tab === 'vulns' ? (
              <VulnsTab reference={digestReference(parsed.registry, parsed.repository, details.manifest.digest)} />
            ) : tab === 'lineage' ? (
              <LineagePanel reference={reference} platform={platform} />
            ) : (
              <ReferrersTab
                reference={digestReference(parsed.registry, parsed.repository, details.manifest.digest)}
                onOpen={openDigest}
              />
            )}
          </Tabs>
        </>
      ) : (
        <EmptyState title="Nothing to show" />
      )}
    </div>
  );
}

/** Digest line and, for a multi-arch index, the platform switcher. */
function ImageSummary({
  details,
  reference,
  platform,
}: {
  details: ImageDetails;
  reference: string;
  platform?: string;
}) {
  const navigate = useNavigation((s) => s.navigate);
  const platforms = details.manifest.manifests
    ? imagePlatforms({
        tag: '',
        digest: '',
        mediaType: '',
        platforms: details.manifest.manifests.flatMap((m) => (m.platform ? [m.platform] : [])),
      })
    : [];
  const shown = details.config?.platform ? formatPlatform(details.config.platform) : undefined;
  const selected = platform ?? shown;
  return (
    <div className="image-summary">
      <div className="digest-line" data-testid="image-digest">
        <span className="muted">Digest</span>
        <code title={details.manifest.digest}>{details.manifest.digest}</code>
        <CopyButton text={details.manifest.digest} label="Copy digest" />
        {details.manifest.deprecated ? <span className="chip chip-warn">Schema 1 (deprecated)</span> : null}
      </div>
      {platforms.length > 0 ? (
        <div className="platform-bar" role="group" aria-label="Platforms">
          <span className="muted">Platform</span>
          {platforms.map((p) => {
            const name = formatPlatform(p);
            return (
              <button
                key={name}
                type="button"
                className="chip chip-button"
                aria-pressed={name === selected}
                onClick={() => navigate({ view: 'image', reference, platform: name })}
              >
                {name}
                {!platform && name === shown ? <span className="muted"> (default)</span> : null}
              </button>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
