/**
 * The package inventory of an image, read from its layers without pulling (`inventory`), the package diff
 * between two images (`diff`) and the inventory as an SBOM document (`sbom`). An inventory is kept on disk
 * by the image's chain of diffIDs (its content), so asking again costs one look at the manifest.
 */
import { createHash } from 'node:crypto';
import type { PackageDiff, PackageInventory, SbomFormat } from '../../../shared/types/packages';
import type { LayerOperationOptions, LayerService, SourceImage } from '../../layers';
import { IndexCache } from '../../layers/index-cache';
import { catalog, pickFiles, reduceFile, wantsFile } from './catalog';
import { diffPackages } from './package-diff';
import { toCycloneDx, toSpdx } from './sbom-export';

/** Bumped when what the catalogue reads or how it reads it changes, so older cached inventories are not used. */
const CATALOG_VERSION = 2;
const CACHE_BYTES = 256 * 1024 * 1024;

export interface PackageServiceOptions {
  layers: LayerService;
  /** Folder for cached inventories (the app's cache folder + `/packages`). */
  cacheDir: string;
  /** Named as the SBOM's creator tool. */
  toolVersion: string;
}

export type PackageOperationOptions = Pick<LayerOperationOptions, 'platform' | 'signal' | 'onProgress'>;

export class PackageService {
  private readonly cache: IndexCache;

  constructor(private readonly options: PackageServiceOptions) {
    this.cache = new IndexCache({ dir: options.cacheDir, maxBytes: CACHE_BYTES });
  }

  async inventory(reference: string, signal?: AbortSignal): Promise<PackageInventory>;
  async inventory(reference: string, options?: PackageOperationOptions): Promise<PackageInventory>;
  async inventory(reference: string, options?: AbortSignal | PackageOperationOptions): Promise<PackageInventory> {
    const operation: PackageOperationOptions = options instanceof AbortSignal ? { signal: options } : (options ?? {});
    const image = await this.options.layers.describe(reference, operation);
    const digest = imageDigest(image);
    const key = cacheKey(image);
    const cached = await this.cache.getImage<PackageInventory>(key);
    if (cached) return { ...cached, digest };
    const scanned = await this.options.layers.scan(reference, pickFiles, operation, {
      wants: wantsFile,
      reduce: reduceFile,
    });
    const inventory = await catalog(scanned.image, scanned.read, imageDigest(scanned.image));
    // Only when the scan read the image described above (a tag may move in between).
    if (cacheKey(scanned.image) === key) await this.cache.putImage(key, inventory);
    return inventory;
  }

  async diff(a: string, b: string, options: PackageOperationOptions = {}): Promise<PackageDiff> {
    const [left, right] = await Promise.all([this.inventory(a, options), this.inventory(b, options)]);
    return diffPackages(left, right);
  }

  /** The inventory as a CycloneDX 1.6 or SPDX 2.3 JSON document. */
  async sbom(reference: string, format: SbomFormat, options: PackageOperationOptions = {}): Promise<unknown> {
    const inventory = await this.inventory(reference, options);
    const subject = { reference, digest: inventory.digest, toolVersion: this.options.toolVersion };
    return format === 'cyclonedx' ? toCycloneDx(inventory, subject) : toSpdx(inventory, subject);
  }
}

function imageDigest(image: SourceImage): string {
  return image.manifestDigest ?? image.configDigest;
}

/** The content identity: the same layers give the same packages whatever the tag or source. */
function cacheKey(image: SourceImage): string {
  const chain = image.layers.map((layer) => layer.diffId).join(',');
  return `sha256:${createHash('sha256').update(`packages-v${CATALOG_VERSION}\n${chain}`).digest('hex')}`;
}
