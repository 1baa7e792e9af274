/**
 * Package inventories read from an image's merged filesystem (dpkg, apk, npm, Python, rpm, Go build info),
 * package diffs between two images in each ecosystem's own version order, and SBOM documents attached to an
 * image (SPDX, CycloneDX). purls follow https://github.com/package-url/purl-spec.
 */

export const PACKAGE_TYPES = ['deb', 'apk', 'npm', 'pypi', 'rpm', 'golang'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];

export interface Package {
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  /** Digest (as the source stores it) of the layer that added this version of the package. */
  layer: string;
  /** Index of that layer (0 = base). */
  layerIndex: number;
  /** License as the package records it (an SPDX expression or the package's own words). */
  license?: string;
  /** dpkg's `Source:` package name (without its version), for Debian advisories keyed by source package. */
  source?: string;
  /** The source package's version when dpkg records one that differs (`Source: bash (5.2.15-2)`). */
  sourceVersion?: string;
  /** The file the package was read from (`/var/lib/dpkg/status`, `/usr/lib/node_modules/x/package.json`...). */
  location: string;
  /** rpm/deb/apk architecture when recorded. */
  arch?: string;
}

export interface PackageInventory {
  /** The image's manifest digest (the config digest for sources without a manifest). */
  digest: string;
  packages: Package[];
  /** The distribution from /etc/os-release (`debian` `12`), when the image has one. */
  os?: { id: string; versionId?: string; versionCodename?: string };
  /** Files that were found but could not be read as what their name says, with the reason. */
  warnings: string[];
}

export interface PackageChange {
  name: string;
  type: PackageType;
  from: string;
  to: string;
  /** By the ecosystem's version order. */
  direction: 'upgraded' | 'downgraded';
}

export interface PackageDiff {
  added: Package[];
  removed: Package[];
  changed: PackageChange[];
}

export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** An SBOM document attached to an image (referrer or in-toto attestation), read as a package list. */
export interface AttachedSbom {
  format: SbomFormat;
  /** Where it was found: the referrer's manifest digest, or the attestation's tag. */
  source: string;
  /** How it was attached: an OCI referrer holding the document, or a DSSE attestation. */
  via: 'referrer' | 'attestation';
  /** Whether its signature was verified ('pending' until signature verification is available for it). */
  verification: 'verified' | 'unverified' | 'pending';
  reason?: string;
  packages: { name: string; version?: string; purl?: string; license?: string }[];
}
