/**
 * The drift matrix: the same repositories across registries, namespaces or a lane's stages, one row per
 * tag, each cell the tag's digest there and whether it matches the row's reference.
 *
 * It reads the one registry index and refreshes it through the index's own indexer, for exactly the
 * repositories it shows: a tag already indexed costs one HEAD (that is how a moved tag is found), a digest
 * never seen one GET, so a second matrix of the same places sends no manifest GET. A repository is looked
 * up in every column, also where the catalog does not list it, because its tag list is what tells
 * `missing` (404) from `not_visible` (401/403) and a catalog may be closed or denied to these credentials.
 */
import picomatch from 'picomatch';
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { BerthError, isBerthError } from '../../shared/errors';
import { normalizeNamespace } from '../../shared/lane-rules';
import type { DriftMatrix, MatrixColumn, MatrixRow, MatrixRowsEvent } from '../../shared/types/matrix';
import type { ProgressState } from '../../shared/types/operations';
import type { PromotionLane } from '../../shared/types/promotion';
import type { RegistryBrowser } from '../registry/browser';
import { throwIfAborted } from '../util/async';
import { matrixRows, type ColumnHolding } from './matrix-rows';

export interface MatrixColumnSpec {
  /** A settings id, or a host for a registry not in the list. */
  registryId: string;
  namespace?: string;
  /** The column's label (default `host/namespace`). */
  name?: string;
}

export interface MatrixRequest {
  /** Explicit columns, or `lane` for its stages. */
  columns?: MatrixColumnSpec[];
  lane?: string;
  /** A glob over repository names below each column's namespace (`*` stays within one path segment, `**` spans them). */
  repositories: string;
  /** A glob over tags; every tag when absent. */
  tags?: string;
  /** Only rows with a `different` or `missing` cell. */
  driftOnly?: boolean;
  /** The column compared against (default the first). */
  reference?: number;
}

export interface MatrixRunOptions {
  signal?: AbortSignal;
  onProgress?: (state: ProgressState) => void;
  /** One repository's rows as soon as every column of it is read. */
  onRows?: (rows: Omit<MatrixRowsEvent, 'operationId'>) => void;
}

export interface MatrixService {
  build(request: MatrixRequest, options?: MatrixRunOptions): Promise<DriftMatrix>;
}

export interface MatrixServiceOptions {
  browser: Pick<RegistryBrowser, 'resolveRegistry' | 'listRepositories' | 'index' | 'registryIndex'>;
  lanes: () => readonly PromotionLane[];
}

const MIN_COLUMNS = 2;
const MAX_COLUMNS = 16;
/** 401/403: there may be something, these credentials may not see it. */
const HIDDEN = new Set(['unauthorized', 'denied']);
/** The registry as a whole cannot be read now; any other catalog failure (closed, denied) only lists nothing. */
const UNREADABLE = new Set(['unreachable', 'tls', 'timeout', 'rate_limited']);

interface Column extends MatrixColumn {
  /** Repositories its catalog lists (undefined: not readable). */
  listed?: string[];
}

function compileGlob(pattern: string, what: string): (name: string) => boolean {
  try {
    return picomatch(pattern, { dot: true, strictBrackets: true });
  } catch (error) {
    throw new BerthError(
      'invalid_input',
      `The ${what} pattern "${pattern.slice(0, 100)}" is not a valid glob: ${(error as Error).message}`,
    );
  }
}

function holdingOf(error: BerthError): ColumnHolding {
  if (error.code === 'not_found') return { state: 'missing' };
  if (HIDDEN.has(error.code)) return { state: 'not_visible' };
  return { state: 'unknown' };
}

export function createMatrixService(options: MatrixServiceOptions): MatrixService {
  const { browser } = options;

  function columnSpecs(request: MatrixRequest): MatrixColumnSpec[] {
    if (request.lane === undefined) return request.columns ?? [];
    if (request.columns?.length)
      throw new BerthError('invalid_input', 'Give either columns or a lane for the matrix, not both.');
    const lanes = options.lanes();
    const lane = lanes.find((candidate) => candidate.name === request.lane);
    if (!lane)
      throw new BerthError(
        'not_found',
        `There is no promotion lane named "${request.lane}". Lanes: ${lanes.map((l) => l.name).join(', ') || 'none yet'}.`,
      );
    return lane.stages.map((stage) => ({ registryId: stage.registryId, namespace: stage.namespace, name: stage.name }));
  }

  async function resolveColumns(specs: MatrixColumnSpec[]): Promise<Column[]> {
    if (specs.length < MIN_COLUMNS || specs.length > MAX_COLUMNS)
      throw new BerthError(
        'invalid_input',
        `A drift matrix compares ${MIN_COLUMNS} to ${MAX_COLUMNS} places (registries, namespaces or lane stages); ${specs.length} given.`,
      );
    const columns: Column[] = [];
    for (const spec of specs) {
      const target = await browser.resolveRegistry(spec.registryId);
      const namespace = normalizeNamespace(spec.namespace ?? '');
      const name = spec.name ?? (namespace ? `${target.host}/${namespace.slice(0, -1)}` : target.host);
      if (columns.some((column) => column.host === target.host && column.namespace === namespace))
        throw new BerthError('invalid_input', `${name} is given twice: each column must be another place.`);
      columns.push({ name, registryId: target.id, host: target.host, namespace });
    }
    return columns;
  }

  /** Each registry's catalog once (columns on one registry share it); errors as the columns' own. */
  async function readCatalogs(columns: Column[], signal?: AbortSignal): Promise<void> {
    const byHost = new Map<string, Column[]>();
    for (const column of columns) byHost.set(column.host, [...(byHost.get(column.host) ?? []), column]);
    await Promise.all(
      [...byHost.values()].map(async (group) => {
        let listed: string[] | undefined;
        let error: string | undefined;
        try {
          listed = (await browser.listRepositories(group[0]!.registryId, signal)).repositories;
        } catch (caught) {
          if (!isBerthError(caught) || caught.code === 'cancelled' || signal?.aborted) throw caught;
          // A closed or denied catalog says nothing about one repository: each is asked for itself below.
          if (UNREADABLE.has(caught.code)) error = caught.message;
        }
        for (const column of group) {
          if (listed) column.listed = listed;
          if (error) column.error = error;
        }
      }),
    );
  }

  return {
    async build(request, { signal, onProgress, onRows } = {}) {
      const columns = await resolveColumns(columnSpecs(request));
      const repositoryMatches = compileGlob(request.repositories, 'repository');
      const tagMatches = request.tags ? compileGlob(request.tags, 'tag') : () => true;
      // Signatures, attestations and referrer fallbacks go with their image: rows are images.
      const keepTag = (tag: string) => classifyArtifactTag(tag) === null && tagMatches(tag);
      const preferred = request.reference ?? 0;
      if (preferred >= columns.length)
        throw new BerthError('invalid_input', `There is no column ${preferred + 1} to compare with.`);
      throwIfAborted(signal);

      onProgress?.({ status: 'Listing repositories', current: 0, total: 0 });
      await readCatalogs(columns, signal);
      const names = new Set<string>();
      for (const column of columns)
        for (const repository of column.listed ?? []) {
          if (!repository.startsWith(column.namespace)) continue;
          const name = repository.slice(column.namespace.length);
          if (repositoryMatches(name)) names.add(name);
        }
      // A plain name is looked up even where no catalog lists it (closed catalogs, Docker Hub).
      if (!picomatch.scan(request.repositories).isGlob) names.add(request.repositories);
      const rowNames = [...names].sort();

      // Every (column, repository) is settled once: read, missing, not visible or unknown.
      const holdings = new Map(
        rowNames.map((name) => [name, new Array<ColumnHolding | undefined>(columns.length).fill(undefined)]),
      );
      const total = rowNames.length * columns.length;
      let settledCount = 0;
      let rowsDone = 0;
      const rowsByName = new Map<string, MatrixRow[]>();
      const finishing: Promise<void>[] = [];
      const index = await browser.registryIndex();

      const finish = async (name: string, held: ColumnHolding[]) => {
        // A column read successfully answers from the index the refresh just brought up to date.
        const resolved = await Promise.all(
          held.map(async (holding, position): Promise<ColumnHolding> => {
            if (holding.state !== 'read') return holding;
            const column = columns[position]!;
            return { state: 'read', tags: await index.tags(column.host, column.namespace + name) };
          }),
        );
        const rows = matrixRows(name, resolved, preferred, keepTag).filter((row) => !request.driftOnly || row.drift);
        rowsByName.set(name, rows);
        rowsDone++;
        onRows?.({ repository: name, columns: columns.map(publicColumn), rows });
        onProgress?.({
          status: `${rowsDone.toLocaleString('en-US')} of ${rowNames.length.toLocaleString('en-US')} repositories`,
          current: settledCount,
          total,
        });
      };
      const settle = (name: string, column: number, holding: ColumnHolding) => {
        const held = holdings.get(name)!;
        if (held[column]) return;
        held[column] = holding;
        settledCount++;
        if (held.every(Boolean)) finishing.push(finish(name, held as ColumnHolding[]));
        else onProgress?.({ status: `${rowsDone} of ${rowNames.length} repositories`, current: settledCount, total });
      };

      // One indexer run per registry, over the repositories of all its columns.
      const byRegistry = new Map<string, { registryId: string; pairs: Map<string, [number, string][]> }>();
      columns.forEach((column, position) => {
        if (column.error) {
          for (const name of rowNames) settle(name, position, { state: 'unknown' });
          return;
        }
        const run = byRegistry.get(column.host) ?? { registryId: column.registryId, pairs: new Map() };
        byRegistry.set(column.host, run);
        for (const name of rowNames) {
          const repository = column.namespace + name;
          run.pairs.set(repository, [...(run.pairs.get(repository) ?? []), [position, name]]);
        }
      });
      await Promise.all(
        [...byRegistry].map(async ([, run]) => {
          try {
            await browser.index(run.registryId, {
              details: true,
              ...(signal ? { signal } : {}),
              repositories: [...run.pairs.keys()],
              onRepository: (repository, error) => {
                for (const [position, name] of run.pairs.get(repository) ?? []) {
                  const holding = error ? holdingOf(error) : { state: 'read' as const, tags: new Map() };
                  // Missing and not visible are answers; anything else is said once in the column's header.
                  if (error && holding.state === 'unknown') columns[position]!.error ??= error.message;
                  settle(name, position, holding);
                }
              },
            });
          } catch (error) {
            // The registry as a whole failed (down, TLS, rate limit): its columns say why, the others stand.
            if (!isBerthError(error) || error.code === 'cancelled' || signal?.aborted) throw error;
            for (const pairs of run.pairs.values())
              for (const [position, name] of pairs) {
                columns[position]!.error ??= error.message;
                settle(name, position, { state: 'unknown' });
              }
          }
        }),
      );
      await Promise.all(finishing);
      return {
        columns: columns.map(publicColumn),
        rows: rowNames.flatMap((name) => rowsByName.get(name) ?? []),
        repositories: rowNames.length,
      };
    },
  };
}

function publicColumn({ listed: _listed, ...column }: Column): MatrixColumn {
  return column;
}
