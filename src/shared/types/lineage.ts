/**
 * Lineage (issue 18): which image another is built on, found by comparing uncompressed layer chains
 * (diff IDs) among the images of a scope, and which images need a rebuild because their base tag moved.
 */

/** Where lineage looks: a registry host, or one namespace of it (`team-a` takes `team-a/x`, not `team-ab/x`). */
export interface LineageScope {
  host: string;
  namespace?: string;
}

/** A tag that holds (or held, before it moved) a base digest. */
export interface HeldBy {
  /** `host/repository:tag` */
  reference: string;
  /** True when the tag points at the base digest now; false when it has moved on since. */
  current: boolean;
}

/** The image another is built on: the longest strict prefix of its chain among the images in scope. */
export interface BaseMatch {
  /** The tag to name it by (one that points at it now when there is one), `host/repository:tag`. */
  reference: string;
  /** What that tag pointed at: the base's manifest (an index for a multi-arch base). */
  digest: string;
  /** For a multi-arch base: the platform image whose chain matched. */
  platformDigest?: string;
  /** Layers the image shares with its base, and its own total: "5 of 8 layers". */
  sharedLayers: number;
  totalLayers: number;
  /** Every tag that holds or held the base (several tags often name one digest). */
  heldBy: HeldBy[];
  created?: string;
}

/** `org.opencontainers.image.base.name` / `.base.digest`, as the image declares them. */
export interface BaseAnnotation {
  name: string | null;
  digest: string | null;
  source: 'annotations' | 'labels';
}

/** One link of the chain of bases upward: the base, its base, ... */
export interface ChainLink {
  reference: string;
  digest: string;
  layers: number;
}

/** An image's lineage on one platform. */
export interface PlatformLineage {
  /** `os/arch[/variant]`, when the image is multi-arch. */
  platform?: string;
  /** The platform image's manifest digest. */
  digest: string;
  totalLayers: number;
  base: BaseMatch | null;
  /** Other images with exactly this chain (built with ENV or LABEL steps only): "same layers as X". */
  sameLayersAs: string[];
  annotation: BaseAnnotation | null;
  /** Whether the annotation names what the layers show; null when there is no annotation or it cannot be checked. */
  annotationAgrees: boolean | null;
  /** Why the annotation does not agree, or cannot be checked. */
  annotationNote?: string;
  /** The base tag moved: the image was built on a digest its base tag no longer points at. */
  stale: boolean;
  /** The tag staleness was judged by (`host/repository:tag`), from the annotation or the tag history. */
  baseTag: string | null;
  /** What the base tag points at now, when stale. */
  baseNow: { digest: string; created?: string } | null;
  /** Bases upward: `base`, then its base, and so on. */
  chain: ChainLink[];
}

/** `lineage.base`: the top-level fields are those of the selected platform (this machine's, for an index). */
export interface ImageLineage extends PlatformLineage {
  reference: string;
  /** The digest the reference points at (an index's digest for a multi-arch image). */
  digest: string;
  /** One entry per platform (one for a single-platform image). */
  platforms: PlatformLineage[];
}

export interface Dependent {
  /** `host/repository:tag` */
  reference: string;
  digest: string;
  platform?: string;
  sharedLayers: number;
  totalLayers: number;
  /** The base is this image's nearest base (not a base of its base). */
  direct: boolean;
}

export interface DependentsResult {
  reference: string;
  digest: string;
  dependents: Dependent[];
}

export interface StaleImage {
  /** The image to rebuild, `host/repository:tag`. */
  reference: string;
  digest: string;
  platform?: string;
  /** The base tag, `host/repository:tag`. */
  base: string;
  oldBaseDigest: string;
  newBaseDigest: string;
  /** When the base moved: the new base's created date. */
  baseMoved?: string;
  /** How the base tag was found. */
  via: 'annotation' | 'layers';
}

export interface StaleResult {
  stale: StaleImage[];
}

/** What a refresh of the lineage index did. */
export interface LineageRefresh {
  repositories: number;
  tags: number;
  skipped: { repository: string; error: string }[];
}
