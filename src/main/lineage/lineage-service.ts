/**
 * Lineage over the one registry index: the base each image is built on (longest strict prefix of its diff
 * ID chain among the images of a scope), the images built on a base, and the images whose base tag has
 * moved since (stale). Refreshing a scope goes through the registry browser's indexer (a HEAD per known
 * tag, a GET per new or changed manifest); what lineage adds is each index's platform images and the tag
 * history the index keeps, which is the only record of a base digest no tag points at any more.
 */
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { BerthError, isBerthError } from '../../shared/errors';
import { formatScope, inScope } from '../../shared/lineage-scope';
import { formatPlatform, formatReference, parseReference, type RepositoryName } from '../../shared/reference';
import type {
  BaseAnnotation,
  BaseMatch,
  ChainLink,
  Dependent,
  DependentsResult,
  HeldBy,
  ImageLineage,
  LineageRefresh,
  LineageScope,
  PlatformLineage,
  StaleImage,
  StaleResult,
} from '../../shared/types/lineage';
import type { ProgressState } from '../../shared/types/operations';
import type { RegistryBrowser } from '../registry/browser';
import { summaryComplete, type DigestSummary, type RegistryIndex } from '../registry/index/registry-index';
import { parsePlatform, selectPlatform } from '../registry/platform';
import { readDigestSummary } from '../registry/tag-details';
import { mapBounded, throwIfAborted } from '../util/async';
import { ChainIndex, startsWith, type PlatformImage } from './chains';

/** Platform images (of indexes) read at once while a scope is refreshed. */
const CHILD_CONCURRENCY = 4;
/** Bases followed upward at most (real chains are a handful deep; a bound against cycles of equal chains). */
const MAX_CHAIN = 16;

export interface LineageCallOptions {
  signal?: AbortSignal;
  onProgress?: (state: ProgressState) => void;
  /** Bring the scope's index up to date first (default true); false answers from the index as it is. */
  refresh?: boolean;
}

export interface LineageService {
  refresh(scopes: LineageScope[], options?: LineageCallOptions): Promise<LineageRefresh>;
  base(
    reference: string,
    scopes: LineageScope[],
    options?: LineageCallOptions & { platform?: string },
  ): Promise<ImageLineage>;
  dependents(reference: string, scopes: LineageScope[], options?: LineageCallOptions): Promise<DependentsResult>;
  stale(scopes: LineageScope[], options?: LineageCallOptions): Promise<StaleResult>;
}

interface Entry extends PlatformImage {
  created?: string;
  annotation?: DigestSummary['baseAnnotation'];
}

interface Tagged {
  reference: string;
  repo: RepositoryName;
  digest: string;
}

/** What the index holds for the scopes: every tag's digest now and before, and every chain. */
interface Catalog {
  chains: ChainIndex<Entry>;
  /** Tags that hold or held a manifest digest. */
  holders: Map<string, HeldBy[]>;
  /** Tag reference -> the digest it points at now. */
  tagNow: Map<string, string>;
  current: Tagged[];
  /** Platform images per manifest digest. */
  images: Map<string, Entry[]>;
  summaries: Map<string, DigestSummary>;
}

const tagReference = (host: string, repository: string, tag: string) =>
  formatReference({ registry: host, repository, tag });

function entriesOf(summary: DigestSummary, children: Map<string, DigestSummary>): Entry[] {
  if (!summary.children) {
    if (!summary.diffIds) return [];
    return [
      {
        top: summary.digest,
        digest: summary.digest,
        diffIds: summary.diffIds,
        ...(summary.created ? { created: summary.created } : {}),
        ...(summary.baseAnnotation ? { annotation: summary.baseAnnotation } : {}),
      },
    ];
  }
  return summary.children.flatMap((child) => {
    const own = children.get(child.digest);
    if (!own?.diffIds) return [];
    const annotation = summary.baseAnnotation ?? own.baseAnnotation;
    const created = own.created ?? summary.created;
    return [
      {
        top: summary.digest,
        digest: child.digest,
        ...(child.platform ? { platform: formatPlatform(child.platform) } : {}),
        diffIds: own.diffIds,
        ...(created ? { created } : {}),
        ...(annotation ? { annotation } : {}),
      },
    ];
  });
}

function annotationOf(entry: Entry): BaseAnnotation | null {
  const note = entry.annotation;
  return note ? { name: note.name ?? null, digest: note.digest ?? null, source: note.source } : null;
}

/** Current tags first, then by name, so the reference shown is one that still points at the base. */
const byCurrentThenName = (a: HeldBy, b: HeldBy) =>
  Number(b.current) - Number(a.current) || a.reference.localeCompare(b.reference);

export function createLineageService(options: { browser: RegistryBrowser }): LineageService {
  const { browser } = options;
  const client = browser.client;

  /** A digest's summary from the index, read from the registry when absent or written by an older Berth. */
  async function ensureSummary(
    index: RegistryIndex,
    repo: RepositoryName,
    digest: string,
    signal?: AbortSignal,
  ): Promise<DigestSummary> {
    const known = await index.summary(digest);
    if (known && summaryComplete(known)) return known;
    const manifest = await client.getManifest({ ...repo, digest }, signal ? { signal } : {});
    const summary = await readDigestSummary(client, manifest, signal);
    await index.putSummary(summary);
    return summary;
  }

  /** The summaries of an index's platform images (each read once, ever). */
  async function ensureChildren(
    index: RegistryIndex,
    repo: RepositoryName,
    summary: DigestSummary,
    signal?: AbortSignal,
  ): Promise<Map<string, DigestSummary>> {
    const children = new Map<string, DigestSummary>();
    await mapBounded(summary.children ?? [], CHILD_CONCURRENCY, signal, async (child, _position, inner) => {
      children.set(child.digest, await ensureSummary(index, repo, child.digest, inner));
    });
    return children;
  }

  async function refreshScope(
    index: RegistryIndex,
    scope: LineageScope,
    signal: AbortSignal | undefined,
    onProgress: LineageCallOptions['onProgress'],
  ): Promise<LineageRefresh> {
    const name = formatScope(scope);
    onProgress?.({ status: `Listing repositories of ${name}`, current: 0, total: 0 });
    const listed = await browser.listRepositories(scope.host, signal);
    const repositories = listed.repositories.filter((repository) => inScope(scope, scope.host, repository));
    const result = await browser.index(scope.host, {
      details: true,
      repositories,
      ...(signal ? { signal } : {}),
      onProgress: ({ current, total, status }) => onProgress?.({ status: `${name}: ${status}`, current, total }),
    });
    // Platform images of indexes, and digests the tag history names whose summary predates chains.
    // Each digest once, in the repository a tag held it in (a blob is readable only through a repository).
    const held = new Map<string, string>();
    for (const entry of await index.tagHistory(scope.host))
      if (inScope(scope, scope.host, entry.repository) && !held.has(entry.digest))
        held.set(entry.digest, entry.repository);
    let done = 0;
    await mapBounded([...held], CHILD_CONCURRENCY, signal, async ([digest, repository], _position, inner) => {
      const repo = { registry: scope.host, repository };
      try {
        const summary = await ensureSummary(index, repo, digest, inner);
        if (summary.children) await ensureChildren(index, repo, summary, inner);
      } catch (error) {
        // A manifest deleted since (or garbage-collected) is simply not a candidate any more.
        if (!isBerthError(error) || error.code !== 'not_found' || inner.aborted) throw error;
      }
      onProgress?.({ status: `${name}: reading layer chains`, current: ++done, total: held.size });
    });
    return { repositories: result.repositories, tags: result.tags, skipped: result.skipped };
  }

  async function refresh(scopes: LineageScope[], callOptions: LineageCallOptions = {}): Promise<LineageRefresh> {
    const index = await browser.registryIndex();
    const total: LineageRefresh = { repositories: 0, tags: 0, skipped: [] };
    for (const scope of scopes) {
      throwIfAborted(callOptions.signal);
      const one = await refreshScope(index, scope, callOptions.signal, callOptions.onProgress);
      total.repositories += one.repositories;
      total.tags += one.tags;
      total.skipped.push(...one.skipped);
    }
    return total;
  }

  async function load(scopes: LineageScope[]): Promise<Catalog> {
    const index = await browser.registryIndex();
    const holders = new Map<string, HeldBy[]>();
    const tagNow = new Map<string, string>();
    const current: Tagged[] = [];
    const hold = (digest: string, reference: string, isCurrent: boolean) => {
      const list = holders.get(digest) ?? [];
      if (!list.some((held) => held.reference === reference)) list.push({ reference, current: isCurrent });
      holders.set(digest, list);
    };
    for (const scope of scopes) {
      const repositories = (await index.repositories(scope.host)).filter((repository) =>
        inScope(scope, scope.host, repository),
      );
      for (const repository of repositories) {
        for (const [tag, digest] of await index.tagDigests(scope.host, repository)) {
          if (classifyArtifactTag(tag)) continue;
          const reference = tagReference(scope.host, repository, tag);
          if (tagNow.has(reference)) continue;
          tagNow.set(reference, digest);
          current.push({ reference, repo: { registry: scope.host, repository }, digest });
          hold(digest, reference, true);
        }
      }
      for (const held of await index.tagHistory(scope.host)) {
        if (!inScope(scope, scope.host, held.repository) || classifyArtifactTag(held.tag)) continue;
        const reference = tagReference(scope.host, held.repository, held.tag);
        hold(held.digest, reference, tagNow.get(reference) === held.digest);
      }
    }
    const summaries = await index.summaries([...holders.keys()]);
    const children = await index.summaries(
      [...summaries.values()].flatMap((summary) => (summary.children ?? []).map((child) => child.digest)),
    );
    const chains = new ChainIndex<Entry>();
    const images = new Map<string, Entry[]>();
    for (const summary of summaries.values()) {
      const entries = entriesOf(summary, children);
      images.set(summary.digest, entries);
      for (const entry of entries) chains.add(entry);
    }
    for (const list of holders.values()) list.sort(byCurrentThenName);
    return { chains, holders, tagNow, current, images, summaries: new Map([...summaries, ...children]) };
  }

  /** The nearest base of an image, and the platform image of it that matched. */
  function nearestBase(
    catalog: Catalog,
    image: Entry,
    preferDigest?: string,
  ): { base: BaseMatch; entry: Entry; matches: Entry[] } | undefined {
    const found = catalog.chains.baseOf(image);
    if (!found) return undefined;
    const { matches } = found;
    // Several manifests can share a chain: the base and an image built FROM it with ENV or LABEL steps only,
    // or a base rebuilt with the same layers. The one the annotation names wins; then one created before
    // this image (a base predates what is built on it); then the oldest, which is the one the others were
    // built FROM; then one a tag points at now.
    const named = (entry: Entry) => Number(entry.top === preferDigest || entry.digest === preferDigest);
    const before = (entry: Entry) =>
      Number(!image.created || !entry.created || entry.created.localeCompare(image.created) <= 0);
    const hasCurrent = (entry: Entry) => Number((catalog.holders.get(entry.top) ?? []).some((held) => held.current));
    const ranked = [...matches].sort(
      (a, b) =>
        named(b) - named(a) ||
        before(b) - before(a) ||
        (a.created ?? '').localeCompare(b.created ?? '') ||
        hasCurrent(b) - hasCurrent(a),
    );
    const entry = ranked[0]!;
    const heldBy: HeldBy[] = [];
    for (const match of ranked)
      for (const held of catalog.holders.get(match.top) ?? [])
        if (!heldBy.some((known) => known.reference === held.reference)) heldBy.push(held);
    const own = catalog.holders.get(entry.top) ?? [];
    const base: BaseMatch = {
      reference: own[0]?.reference ?? entry.top,
      digest: entry.top,
      ...(entry.digest !== entry.top ? { platformDigest: entry.digest } : {}),
      sharedLayers: found.sharedLayers,
      totalLayers: image.diffIds.length,
      heldBy,
      ...(entry.created ? { created: entry.created } : {}),
    };
    return { base, entry, matches };
  }

  /** The bases upward: the nearest base, its nearest base, and so on. */
  function chainUpward(catalog: Catalog, start: Entry): ChainLink[] {
    const chain: ChainLink[] = [];
    const visited = new Set<string>([start.digest]);
    let entry = start;
    while (chain.length < MAX_CHAIN) {
      const next = nearestBase(catalog, entry);
      if (!next || visited.has(next.entry.digest)) break;
      visited.add(next.entry.digest);
      chain.push({ reference: next.base.reference, digest: next.base.digest, layers: next.base.sharedLayers });
      entry = next.entry;
    }
    return chain;
  }

  /** Memoized "what does this tag point at now" for tags outside the scopes (annotations name any tag). */
  function tagResolver(catalog: Catalog, signal?: AbortSignal) {
    const asked = new Map<string, Promise<string | undefined>>();
    return (reference: string): Promise<string | undefined> => {
      const known = catalog.tagNow.get(reference);
      if (known) return Promise.resolve(known);
      let pending = asked.get(reference);
      if (!pending) {
        pending = client
          .headManifest(reference, signal ? { signal } : {})
          .then((head) => head?.digest)
          .catch((error: unknown) => {
            if (isBerthError(error) && error.code === 'cancelled') throw error;
            return undefined;
          });
        asked.set(reference, pending);
      }
      return pending;
    };
  }

  /** The annotation's base name as a tag reference, when it names one. */
  function annotatedTag(annotation: BaseAnnotation | null): string | undefined {
    if (!annotation?.name) return undefined;
    try {
      const ref = parseReference(annotation.name);
      return ref.tag !== undefined ? formatReference({ ...ref, digest: undefined }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The chain of the image an annotation names, on this platform. */
  async function annotatedChain(
    index: RegistryIndex,
    catalog: Catalog,
    annotation: BaseAnnotation,
    image: Entry,
    signal?: AbortSignal,
  ): Promise<readonly string[] | undefined> {
    const digest = annotation.digest!;
    try {
      const repo = annotation.name ? parseReference(annotation.name) : undefined;
      let summary = catalog.summaries.get(digest) ?? (await index.summary(digest));
      if ((!summary || !summaryComplete(summary)) && repo) summary = await ensureSummary(index, repo, digest, signal);
      if (!summary) return undefined;
      if (!summary.children) return summary.diffIds;
      const children = summary.children;
      const wanted = image.platform ? parsePlatform(image.platform) : undefined;
      const chosen = selectPlatform(
        children.map((child) => ({
          mediaType: '',
          size: 0,
          digest: child.digest,
          ...(child.platform ? { platform: child.platform } : {}),
        })),
        wanted,
      );
      const child =
        catalog.summaries.get(chosen.digest) ??
        (repo ? await ensureSummary(index, repo, chosen.digest, signal) : undefined);
      return child?.diffIds;
    } catch (error) {
      if (isBerthError(error) && error.code === 'cancelled') throw error;
      return undefined;
    }
  }

  async function platformLineage(
    index: RegistryIndex,
    catalog: Catalog,
    image: Entry,
    resolveTag: (reference: string) => Promise<string | undefined>,
    /** False for `stale`: no annotation check, no chain upward (it needs only the staleness). */
    detailed: boolean,
    signal?: AbortSignal,
  ): Promise<PlatformLineage & { via?: 'annotation' | 'layers' }> {
    const annotation = annotationOf(image);
    const nearest = nearestBase(catalog, image, annotation?.digest ?? undefined);
    const base = nearest?.base ?? null;
    const sameLayersAs = [
      ...new Set(
        catalog.chains
          .sameLayers(image)
          .flatMap((other) => {
            const holders = catalog.holders.get(other.top) ?? [];
            const current = holders.filter((held) => held.current);
            return current.length > 0 ? current : holders;
          })
          .map((held) => held.reference),
      ),
    ].sort();

    let annotationAgrees: boolean | null = null;
    let annotationNote: string | undefined;
    if (annotation && detailed) {
      const named = annotation.digest;
      const matched = nearest?.matches.some((match) => match.top === named || match.digest === named) ?? false;
      if (!named) {
        annotationNote = 'The annotation names no digest, so it cannot be checked against the layers.';
      } else if (matched) {
        annotationAgrees = true;
      } else {
        const chain = await annotatedChain(index, catalog, annotation, image, signal);
        if (!chain || chain.length === 0) {
          annotationNote = `The image the annotation names (${named.slice(0, 19)}…) cannot be read.`;
        } else if (!startsWith(image.diffIds, chain)) {
          annotationAgrees = false;
          annotationNote = `The annotation names ${annotation.name ?? named}, whose layers are not a prefix of this image's.`;
        } else if (base && chain.length < base.sharedLayers) {
          annotationAgrees = false;
          annotationNote = `The layers show a nearer base than the annotation: ${base.reference}.`;
        } else {
          annotationAgrees = true;
        }
      }
    }

    // Stale: the tag the image was built on points elsewhere now. The annotation says which tag and digest;
    // without one, every tag the index saw at the detected base digest.
    let stale = false;
    let baseTag: string | null = null;
    let baseNow: PlatformLineage['baseNow'] = null;
    let via: 'annotation' | 'layers' | undefined;
    const tagged = annotatedTag(annotation);
    const createdOf = (digest: string) =>
      catalog.summaries.get(digest)?.created ?? catalog.images.get(digest)?.[0]?.created;
    if (tagged && annotation?.digest) {
      baseTag = tagged;
      via = 'annotation';
      const now = await resolveTag(tagged);
      const was = annotation.digest;
      const stillHolds =
        now === was || (now !== undefined && catalog.images.get(now)?.some((entry) => entry.digest === was));
      if (now && !stillHolds) {
        stale = true;
        const created = createdOf(now);
        baseNow = { digest: now, ...(created ? { created } : {}) };
      }
    } else if (base) {
      via = 'layers';
      const own = catalog.holders.get(base.digest) ?? [];
      const chain = image.diffIds.slice(0, base.sharedLayers);
      // A tag moved to a rebuild with the very same layers (only metadata changed) needs no rebuild.
      const sameLayers = (digest: string) =>
        (catalog.images.get(digest) ?? []).some(
          (entry) => entry.diffIds.length === chain.length && startsWith(entry.diffIds, chain),
        );
      const moved = own.filter(
        (held) =>
          !held.current && catalog.tagNow.has(held.reference) && !sameLayers(catalog.tagNow.get(held.reference)!),
      );
      if (moved.length > 0) {
        stale = true;
        baseTag = moved[0]!.reference;
        const now = catalog.tagNow.get(baseTag)!;
        const created = createdOf(now);
        baseNow = { digest: now, ...(created ? { created } : {}) };
      } else {
        baseTag = own[0]?.reference ?? null;
      }
    }

    return {
      ...(image.platform ? { platform: image.platform } : {}),
      digest: image.digest,
      totalLayers: image.diffIds.length,
      base,
      sameLayersAs,
      annotation,
      annotationAgrees,
      ...(annotationNote ? { annotationNote } : {}),
      stale,
      baseTag,
      baseNow,
      chain: detailed ? chainUpward(catalog, image) : [],
      ...(via ? { via } : {}),
    };
  }

  /** The reference's digest and platform images, from the index or read once. */
  async function resolve(reference: string, signal?: AbortSignal) {
    const ref = parseReference(reference);
    const repo = { registry: ref.registry, repository: ref.repository };
    const digest = ref.digest ?? (await client.headManifest(ref, signal ? { signal } : {}))?.digest;
    if (!digest)
      throw new BerthError('not_found', `${formatReference(ref)} does not exist on ${ref.registry}.`, {
        registry: ref.registry,
      });
    const index = await browser.registryIndex();
    const summary = await ensureSummary(index, repo, digest, signal);
    const children = await ensureChildren(index, repo, summary, signal);
    const images = entriesOf(summary, children);
    if (images.every((image) => image.diffIds.length === 0))
      throw new BerthError(
        'unsupported',
        `${formatReference(ref)} has no layer chain to compare (an artifact, or a schema 1 manifest).`,
      );
    return { ref, digest, summary, images };
  }

  const refreshFirst = async (scopes: LineageScope[], callOptions: LineageCallOptions) => {
    if (scopes.length === 0) throw new BerthError('invalid_input', 'Give at least one scope: HOST or HOST/NAMESPACE.');
    if (callOptions.refresh !== false) await refresh(scopes, callOptions);
  };

  return {
    refresh,

    async base(reference, scopes, callOptions = {}) {
      const chosenScopes = scopes.length > 0 ? scopes : [{ host: parseReference(reference).registry }];
      await refreshFirst(chosenScopes, callOptions);
      const { signal } = callOptions;
      const target = await resolve(reference, signal);
      const catalog = await load(chosenScopes);
      const index = await browser.registryIndex();
      const resolveTag = tagResolver(catalog, signal);
      const platforms = await Promise.all(
        target.images.map(async (image) => {
          const { via: _via, ...lineage } = await platformLineage(index, catalog, image, resolveTag, true, signal);
          return lineage;
        }),
      );
      const wanted = callOptions.platform ? parsePlatform(callOptions.platform) : undefined;
      let selected = platforms[0]!;
      if (target.summary.children) {
        const descriptors = target.images.map((image) => ({
          mediaType: '',
          size: 0,
          digest: image.digest,
          ...(image.platform ? { platform: parsePlatform(image.platform) } : {}),
        }));
        const chosen = selectPlatform(descriptors, wanted);
        selected = platforms.find((platform) => platform.digest === chosen.digest) ?? selected;
      }
      return { ...selected, reference: formatReference(target.ref), digest: target.digest, platforms };
    },

    async dependents(reference, scopes, callOptions = {}) {
      await refreshFirst(scopes, callOptions);
      const target = await resolve(reference, callOptions.signal);
      const catalog = await load(scopes);
      const own = new Set(target.images.map((image) => image.digest));
      const dependents: Dependent[] = [];
      for (const tagged of catalog.current) {
        if (tagged.digest === target.digest) continue;
        for (const image of catalog.images.get(tagged.digest) ?? []) {
          if (own.has(image.digest)) continue;
          const base = target.images.find((candidate) => startsWith(image.diffIds, candidate.diffIds));
          if (!base) continue;
          const nearest = catalog.chains.baseOf(image);
          dependents.push({
            reference: tagged.reference,
            digest: tagged.digest,
            ...(image.platform ? { platform: image.platform } : {}),
            sharedLayers: base.diffIds.length,
            totalLayers: image.diffIds.length,
            direct: image.diffIds.length === base.diffIds.length || nearest?.sharedLayers === base.diffIds.length,
          });
        }
      }
      dependents.sort(
        (a, b) => a.reference.localeCompare(b.reference) || (a.platform ?? '').localeCompare(b.platform ?? ''),
      );
      return { reference: formatReference(target.ref), digest: target.digest, dependents };
    },

    async stale(scopes, callOptions = {}) {
      await refreshFirst(scopes, callOptions);
      const { signal } = callOptions;
      const catalog = await load(scopes);
      const index = await browser.registryIndex();
      const resolveTag = tagResolver(catalog, signal);
      const rows: StaleImage[] = [];
      const listed = new Set<string>();
      // Many tags share a digest (1.2.3, 1.2, latest): each platform image is judged once.
      const judged = new Map<string, ReturnType<typeof platformLineage>>();
      for (const tagged of catalog.current) {
        throwIfAborted(signal);
        const images = catalog.images.get(tagged.digest) ?? [];
        for (const image of images) {
          const key = `${image.top} ${image.digest}`;
          let judging = judged.get(key);
          if (!judging) {
            judging = platformLineage(index, catalog, image, resolveTag, false, signal);
            judged.set(key, judging);
          }
          const lineage = await judging;
          if (!lineage.stale || !lineage.baseTag || !lineage.baseNow) continue;
          const oldBaseDigest = lineage.via === 'annotation' ? lineage.annotation!.digest! : lineage.base!.digest;
          // Platforms of one index that share one stale base are one row.
          const row = `${tagged.reference} ${oldBaseDigest}`;
          if (listed.has(row)) continue;
          listed.add(row);
          rows.push({
            reference: tagged.reference,
            digest: tagged.digest,
            ...(images.length > 1 && image.platform ? { platform: image.platform } : {}),
            base: lineage.baseTag,
            oldBaseDigest,
            newBaseDigest: lineage.baseNow.digest,
            ...(lineage.baseNow.created ? { baseMoved: lineage.baseNow.created } : {}),
            via: lineage.via ?? 'layers',
          });
        }
      }
      rows.sort((a, b) => a.reference.localeCompare(b.reference));
      return { stale: rows };
    },
  };
}
