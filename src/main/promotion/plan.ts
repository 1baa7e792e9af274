/**
 * The plan: what a promotion will do, computed before any write by reading the source and asking the
 * target what it already has (HEADs only). Execution computes it again (the registries may have changed
 * since the dialog showed it) and follows it step by step. The plan pins the source: its `pinnedSource`
 * (`name:tag@digest`) is what a client executes to run exactly the image it showed. Such a source is
 * read by digest, and refused before anything is written when its tag no longer points at that digest
 * (the user confirmed "dev/app:1.2.0, which is sha256:…", not whatever the tag holds now).
 */
import { BerthError } from '../../shared/errors';
import { formatReference, parseReference, type ImageReference, type RepositoryName } from '../../shared/reference';
import type {
  BlobStep,
  ManifestStep,
  PromotionPlan,
  PromotionStrategy,
  PushAccess,
} from '../../shared/types/promotion';
import { missingActions, permissionText, type Permission, type RegistryClient } from '../registry';
import { mapBounded } from '../util/async';
import { readSourceGraph, type ManifestNode, type SourceGraph } from './graph';

export interface PromotionRequest {
  source: string;
  target: string;
  platforms?: string[];
  withReferrers: boolean;
  force: boolean;
  viaEngine: boolean;
  /** Promote although gates of the target stage fail; the reason goes to the audit log. */
  override?: { reason: string };
}

export interface Endpoints {
  source: ImageReference;
  target: ImageReference & { tag: string };
}

export interface PreparedPromotion {
  plan: PromotionPlan;
  graph: SourceGraph;
  target: ImageReference & { tag: string };
  /** Manifests already in the target repository, by digest. */
  presentManifests: ReadonlySet<string>;
  /** What the token service refused, when the plan's push check says `denied`: execution stops on it. */
  deniedPush?: Permission;
  /** cosign tags (`sha256-<hex>.sig`...) the target already has with other content: left as they are. */
  keptTags: ReadonlySet<string>;
}

const HEAD_CONCURRENCY = 8;

/**
 * Source and target as references. The target is a repository and a tag; without a tag it takes the
 * source's (`dev/app:1.2` -> `prod/app` means `prod/app:1.2`).
 */
export function resolveEndpoints(sourceText: string, targetText: string): Endpoints {
  const source = parseReference(sourceText);
  const target = parseReference(targetText);
  if (target.digest !== undefined) {
    throw new BerthError(
      'invalid_input',
      `The target ${targetText} has a digest: give a repository and a tag (the digest is the source's to decide).`,
    );
  }
  // A source without tag or digest means `latest` (as for `docker pull`); named, so the plan can pin it.
  const resolved: ImageReference =
    source.tag === undefined && source.digest === undefined ? { ...source, tag: 'latest' } : source;
  const tag = target.tag ?? resolved.tag;
  if (tag === undefined)
    throw new BerthError(
      'invalid_input',
      `The source ${sourceText} is a digest without a tag: give the target a tag (repository:tag).`,
    );
  return { source: resolved, target: { registry: target.registry, repository: target.repository, tag } };
}

/** The source as plans and results name it: by its tag when it has one, else by its digest. */
export function sourceLabel(source: ImageReference): string {
  return formatReference(source.tag !== undefined ? { ...repositoryOf(source), tag: source.tag } : source);
}

/** The source pinned to the digest it resolved to: what executing a plan must be given to run that plan. */
export function pinnedSource(source: ImageReference, digest: string): string {
  return formatReference({ ...repositoryOf(source), ...(source.tag !== undefined ? { tag: source.tag } : {}), digest });
}

export function sourceMoved(tagged: string, current: string | undefined, planned: string): BerthError {
  const now = current === undefined ? 'no longer exists' : `now points to ${current}`;
  return new BerthError(
    'conflict',
    `${tagged} ${now} (planned ${planned}); nothing was written. Review the new plan.`,
    {
      reason: 'source_moved',
      ...(current !== undefined ? { currentDigest: current } : {}),
      plannedDigest: planned,
    },
  );
}

/**
 * A source pinned as `name:tag@digest` is the image a plan showed under that tag: refused when the tag points
 * elsewhere now. One HEAD of the tag, before anything is read or written for the promotion.
 */
export async function checkSourcePin(
  client: RegistryClient,
  source: ImageReference,
  signal?: AbortSignal,
): Promise<void> {
  if (source.tag === undefined || source.digest === undefined) return;
  const tagged: ImageReference = { ...repositoryOf(source), tag: source.tag };
  const current = await client.headManifest(tagged, signal ? { signal } : {});
  if (current?.digest !== source.digest) throw sourceMoved(formatReference(tagged), current?.digest, source.digest);
}

export function repositoryOf(ref: RepositoryName): RepositoryName {
  return { registry: ref.registry, repository: ref.repository };
}

/**
 * Whether the target accepts this account's push, from the token its token service issues for the push scope
 * (it leaves out what it does not allow). Basic and anonymous registries answer only to a write: "not checked".
 */
export async function checkPushAccess(
  client: RegistryClient,
  target: RepositoryName,
  signal?: AbortSignal,
): Promise<{ access: PushAccess; denied?: Permission }> {
  const { registry, repository } = target;
  const probe = await client.probeAccess(target, 'pull,push', signal ? { signal } : {});
  const user = probe.scheme !== 'none' && probe.user !== undefined ? { user: probe.user } : {};
  if (probe.scheme === 'none')
    return {
      access: {
        status: 'unchecked',
        message: `Push access not checked: ${registry} asks for no sign-in, so only the first write shows whether it accepts a push.`,
      },
    };
  if (probe.scheme === 'basic')
    return {
      access: {
        status: 'unchecked',
        ...user,
        message: `Push access not checked: ${registry} uses Basic sign-in, which says whether ${probe.user ?? 'this account'} may push to ${repository} only when something is written.`,
      },
    };
  if (!probe.granted)
    return {
      access: {
        status: 'unchecked',
        ...user,
        message: `Push access not checked: the token service of ${registry} does not say what its tokens allow.`,
      },
    };
  const granted = probe.granted.get(`repository:${repository}`) ?? [];
  if (missingActions(['push'], granted).length === 0)
    return {
      access: { status: 'granted', ...user, message: `${probe.user ?? 'This account'} may push to ${repository}.` },
    };
  const denied: Permission = { ...user, repository, missing: ['push'], granted };
  if (!probe.signedIn)
    return {
      access: {
        status: 'denied',
        message: `${registry} allows no push to ${repository} without signing in: the promotion would fail. Sign in as a user who may push.`,
      },
      denied,
    };
  return {
    access: {
      status: 'denied',
      ...user,
      message: `${permissionText(denied)}: the promotion would fail. Ask an administrator of ${registry} for push access, or sign in as a user who has it.`,
    },
    denied,
  };
}

export function strategyFor(source: RepositoryName, target: RepositoryName, viaEngine: boolean): PromotionStrategy {
  if (viaEngine) return 'engine';
  if (source.registry !== target.registry) return 'copy';
  return source.repository === target.repository ? 'same-repository' : 'mount';
}

function manifestStep(node: ManifestNode, present: boolean, tag?: string): ManifestStep {
  return {
    digest: node.digest,
    mediaType: node.mediaType,
    size: node.bytes.length,
    action: present ? 'present' : 'put',
    role: node.role,
    ...(tag !== undefined ? { tag } : {}),
    ...(node.platform !== undefined ? { platform: node.platform } : {}),
  };
}

export async function preparePromotion(
  client: RegistryClient,
  request: PromotionRequest,
  signal?: AbortSignal,
): Promise<PreparedPromotion> {
  const { source, target } = resolveEndpoints(request.source, request.target);
  const requestOptions = signal ? { signal } : {};
  await checkSourcePin(client, source, signal);
  const strategy = strategyFor(source, target, request.viaEngine);
  const [graph, existing, push] = await Promise.all([
    // Within one repository the referrers are there already (they are found by the subject's digest).
    readSourceGraph(client, source, {
      withReferrers: request.withReferrers && strategy !== 'engine' && strategy !== 'same-repository',
      ...(request.platforms ? { platforms: request.platforms } : {}),
      ...requestOptions,
    }),
    client.headManifest(target, requestOptions),
    checkPushAccess(client, target, signal),
  ]);
  const targetRepo = repositoryOf(target);
  const sameRepository = strategy === 'same-repository';

  // Within one repository everything the source names is there already (the registry checked when it was
  // pushed): nothing to ask. Elsewhere, each blob and manifest is looked up once.
  const presentBlobs = new Set<string>();
  const presentManifests = new Set<string>();
  const manifests = [...graph.children, ...graph.referrers, graph.root];
  if (sameRepository) {
    for (const blob of graph.blobs) presentBlobs.add(blob.digest);
    for (const node of manifests)
      if (node !== graph.root || node.digest === graph.source.digest) presentManifests.add(node.digest);
  } else {
    const lookups: ((lookupSignal: AbortSignal) => Promise<void>)[] = [
      ...graph.blobs
        .filter((blob) => !blob.external)
        .map((blob) => async (lookupSignal: AbortSignal) => {
          if (await client.headBlob(targetRepo, blob.digest, { signal: lookupSignal })) presentBlobs.add(blob.digest);
        }),
      ...manifests.map((node) => async (lookupSignal: AbortSignal) => {
        if (await client.headManifest({ ...targetRepo, digest: node.digest }, { signal: lookupSignal }))
          presentManifests.add(node.digest);
      }),
    ];
    await mapBounded(lookups, HEAD_CONCURRENCY, signal, (lookup, _i, lookupSignal) => lookup(lookupSignal));
  }

  const blobs: BlobStep[] = graph.blobs.map((blob) => ({
    digest: blob.digest,
    size: blob.size,
    mediaType: blob.mediaType,
    action: blob.external
      ? 'external'
      : presentBlobs.has(blob.digest)
        ? 'present'
        : strategy === 'mount'
          ? 'mount'
          : 'copy',
  }));
  // cosign's tags at the target: the same content is there already, other content (signed there too) is kept.
  const keptTags = new Set<string>();
  const tagsPresent = new Set<string>();
  if (!sameRepository)
    await mapBounded(
      graph.referrers.filter((node) => node.tag !== undefined),
      HEAD_CONCURRENCY,
      signal,
      async (node, _i, lookupSignal) => {
        const there = await client.headManifest({ ...targetRepo, tag: node.tag! }, { signal: lookupSignal });
        if (there?.digest === node.digest) tagsPresent.add(node.tag!);
        else if (there) keptTags.add(node.tag!);
      },
    );
  const tag = target.tag;
  const steps = [
    ...graph.children.map((node) => manifestStep(node, presentManifests.has(node.digest))),
    ...graph.referrers.map((node) =>
      manifestStep(
        node,
        presentManifests.has(node.digest) && (node.tag === undefined || tagsPresent.has(node.tag) || sameRepository),
        node.tag !== undefined && !keptTags.has(node.tag) ? node.tag : undefined,
      ),
    ),
    manifestStep(graph.root, presentManifests.has(graph.root.digest), tag),
  ];
  const existingTargetDigest = existing?.digest;
  const everythingThere =
    blobs.every((blob) => blob.action === 'present' || blob.action === 'external') &&
    steps.every((step) => step.action === 'present');
  const notes = [...graph.notes];
  if (graph.blobs.some((blob) => blob.external))
    notes.push('Foreign (non-distributable) layers are served from their own URLs and are not copied, as Docker does.');
  for (const kept of keptTags)
    notes.push(
      `${kept} already exists at the target with other content (signed there too): it is kept, not replaced by the source's.`,
    );
  if (request.withReferrers && graph.root.digest !== graph.source.digest)
    notes.push(
      'Signatures of the source index do not carry over: the target gets a new index, whose digest they do not sign.',
    );
  if (strategy === 'mount')
    notes.push(
      'Blobs are mounted from the source repository; if the registry declines a mount, that blob is uploaded instead.',
    );
  const plan: PromotionPlan = {
    source: sourceLabel(source),
    pinnedSource: pinnedSource(source, graph.source.digest),
    target: formatReference(target),
    sourceDigest: graph.source.digest,
    targetDigest: graph.root.digest,
    strategy,
    blobs,
    manifests: steps,
    referrers: graph.referrers.filter((node) => node.role === 'referrer').map((node) => node.digest),
    platforms: graph.platforms,
    bytesToCopy: blobs.filter((blob) => blob.action === 'copy').reduce((sum, blob) => sum + blob.size, 0),
    ...(existingTargetDigest !== undefined ? { existingTargetDigest } : {}),
    overwrites: existingTargetDigest !== undefined && existingTargetDigest !== graph.root.digest,
    upToDate: existingTargetDigest === graph.root.digest && everythingThere,
    notes,
    pushAccess: push.access,
    gates: [],
  };
  return { plan, graph, target, presentManifests, keptTags, ...(push.denied ? { deniedPush: push.denied } : {}) };
}
