/**
 * Sync rules: stored in Berth's settings file under `syncRules` (beside the registries and lanes they name,
 * so the desktop app and `berth` share them), and the pure parts of applying one: where source and target
 * are, which repositories map where, and which tags a filter keeps.
 */
import picomatch from 'picomatch';
import semver from 'semver';
import { BerthError } from '../../shared/errors';
import { syncRulesSchema } from '../../shared/sync-rules';
import type { SyncRule } from '../../shared/types/sync';
import type { SettingsStore } from '../credentials/settings-store';

export const SYNC_RULES_SETTINGS_KEY = 'syncRules';

export interface SyncRuleStore {
  list(): SyncRule[];
  set(rules: SyncRule[]): SyncRule[];
}

export function settingsSyncRuleStore(settings: SettingsStore): SyncRuleStore {
  const section = settings.section<SyncRule[]>(SYNC_RULES_SETTINGS_KEY, syncRulesSchema, []);
  return {
    list: () => section.get(),
    set(rules) {
      section.set(rules);
      return section.get();
    },
  };
}

/** A rule's source or target, split: `127.0.0.1:5000/prod/app` -> host and path. */
export interface Location {
  host: string;
  /** Without leading slash; a namespace ends with `/`; empty for the registry's root. */
  path: string;
}

const GLOB_CHARS = /[*?[\]{}!]/;

export function parseLocation(text: string, role: 'source' | 'target'): Location {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const path = slash < 0 ? '' : text.slice(slash + 1).replace(/^\/+/, '');
  if (!/^[a-zA-Z0-9.-]+(?::\d+)?$/.test(host) || (role === 'target' && GLOB_CHARS.test(path))) {
    throw new BerthError(
      'invalid_input',
      `The ${role} "${text.slice(0, 200)}" is not host/namespace/ or host/repository${role === 'source' ? ' (or host/glob)' : ''}.`,
    );
  }
  return { host, path };
}

export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/**
 * The namespace a source path stands for, whose part of each repository name the target's path replaces:
 * a namespace itself; for a glob, the directories before its first pattern; for one repository, its parent.
 */
export function sourcePrefix(path: string, kind: 'namespace' | 'glob' | 'repository'): string {
  if (kind === 'namespace') return path;
  const fixed = kind === 'glob' ? path.slice(0, path.search(GLOB_CHARS)) : path;
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/**
 * The target repository of a source repository: `prod/app` under the rewrite `prod/` -> `mirror/prod/`
 * is `mirror/prod/app`. A single source repository with a target that is not a namespace maps to it exactly.
 */
export function targetRepository(
  repository: string,
  prefix: string,
  target: Location,
  singleRepository: boolean,
): string {
  if (singleRepository && target.path !== '' && !target.path.endsWith('/')) return target.path;
  const namespace = target.path === '' || target.path.endsWith('/') ? target.path : `${target.path}/`;
  return `${namespace}${repository.slice(prefix.length)}`;
}

export function repositoryMatcher(path: string): (repository: string) => boolean {
  const glob = picomatch(path, { dot: true });
  return (repository) => glob(repository);
}

/** Whether a tag passes a rule's filter: glob, `/regex/` or `semver:RANGE`. */
export function tagMatcher(filter: string | undefined): (tag: string) => boolean {
  if (filter === undefined) return () => true;
  if (filter.startsWith('semver:')) {
    const range = filter.slice('semver:'.length).trim();
    if (semver.validRange(range, { loose: true }) === null)
      throw new BerthError('invalid_input', `The tag filter's semver range "${range.slice(0, 100)}" is not valid.`);
    return (tag) => {
      const version = semverOf(tag);
      return version !== null && semver.satisfies(version, range, { includePrerelease: true });
    };
  }
  if (filter.length > 2 && filter.startsWith('/') && filter.endsWith('/')) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(filter.slice(1, -1));
    } catch {
      throw new BerthError(
        'invalid_input',
        `The tag filter ${filter.slice(0, 100)} is not a valid regular expression.`,
      );
    }
    return (tag) => pattern.test(tag);
  }
  // One argument only: picomatch's matcher reads a second one (an array index, in `filter`) as "return an object".
  const glob = picomatch(filter, { dot: true });
  return (tag) => glob(tag);
}

/** A tag read as a version (`1.2.3`, `v1.2.3`), or null. */
export function semverOf(tag: string): string | null {
  return semver.valid(tag, { loose: true });
}

/**
 * The newest `count` tags: by semver when every tag is a version, else by the image's creation date (from
 * the registry index, or read once), tags without a date last. Ties keep the registry's order.
 */
export function newestTags(tags: readonly string[], count: number, created: ReadonlyMap<string, string>): string[] {
  const bySemver = tags.every((tag) => semverOf(tag) !== null);
  const ordered = [...tags].sort((a, b) => {
    if (bySemver) return semver.rcompare(semverOf(a)!, semverOf(b)!);
    return (created.get(b) ?? '').localeCompare(created.get(a) ?? '');
  });
  return ordered.slice(0, count);
}

/** Whether the newest-N selection needs dates (some tag is not a version). */
export function needsDates(tags: readonly string[]): boolean {
  return tags.some((tag) => semverOf(tag) === null);
}
