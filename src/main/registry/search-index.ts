/**
 * A local index of the repositories and tags Berth has listed, for `search.query`: registries rarely offer
 * search (the catalog API has none), so the app remembers what it has seen. Kept in memory, saved to
 * `<cacheDir>/registry/search-index.json` shortly after a change and on close.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface SearchHit {
  registryId: string;
  repository: string;
  tag?: string;
}

interface IndexFile {
  version: 1;
  /** registryId -> repository -> tags (empty until its tags were listed). */
  registries: Record<string, Record<string, string[]>>;
}

const MAX_REPOSITORIES_PER_REGISTRY = 50_000;
const MAX_TAGS_PER_REPOSITORY = 10_000;
const SAVE_DELAY_MS = 500;

export class SearchIndex {
  private readonly file: string;
  private data: IndexFile | undefined;
  private loading: Promise<IndexFile> | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(cacheDir: string) {
    this.file = join(cacheDir, 'registry', 'search-index.json');
  }

  private load(): Promise<IndexFile> {
    this.loading ??= readFile(this.file, 'utf8')
      .then((text): IndexFile => {
        const parsed = JSON.parse(text) as IndexFile;
        return parsed?.version === 1 && typeof parsed.registries === 'object' && parsed.registries !== null
          ? parsed
          : { version: 1, registries: {} };
      })
      .catch((): IndexFile => ({ version: 1, registries: {} }))
      .then((data) => {
        // Changes made while loading are merged into what was on disk.
        if (this.data)
          for (const [id, repos] of Object.entries(this.data.registries))
            data.registries[id] = { ...data.registries[id], ...repos };
        this.data = data;
        return data;
      });
    return this.loading;
  }

  private current(): IndexFile {
    this.data ??= { version: 1, registries: {} };
    void this.load();
    return this.data;
  }

  addRepositories(registryId: string, repositories: string[]): void {
    const registry = (this.current().registries[registryId] ??= {});
    for (const repository of repositories.slice(0, MAX_REPOSITORIES_PER_REGISTRY)) registry[repository] ??= [];
    this.changed();
  }

  addTags(registryId: string, repository: string, tags: string[]): void {
    const registry = (this.current().registries[registryId] ??= {});
    registry[repository] = tags.slice(0, MAX_TAGS_PER_REPOSITORY);
    this.changed();
  }

  /**
   * Repositories and tags whose `registry/repository:tag` contains every word of the query
   * (case-insensitive), best first: exact name, then name prefix, then anywhere; repositories before tags.
   */
  async search(query: string, limit: number): Promise<SearchHit[]> {
    const data = await this.load();
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const scored: { hit: SearchHit; score: number; text: string }[] = [];
    const rank = (name: string, text: string): number => {
      const last = name.slice(name.lastIndexOf('/') + 1);
      if (words.length === 1 && name === words[0]) return 0;
      if (words.length === 1 && last === words[0]) return 0.5;
      if (words.some((word) => last.startsWith(word))) return 1;
      return text.length / 1000 + 2;
    };
    for (const [registryId, repositories] of Object.entries(data.registries)) {
      for (const [repository, tags] of Object.entries(repositories)) {
        const text = `${registryId}/${repository}`.toLowerCase();
        if (words.every((word) => text.includes(word)))
          scored.push({ hit: { registryId, repository }, score: rank(repository, text), text });
        for (const tag of tags) {
          const tagText = `${text}:${tag.toLowerCase()}`;
          if (words.every((word) => tagText.includes(word)))
            scored.push({ hit: { registryId, repository, tag }, score: 10 + rank(tag, tagText), text: tagText });
        }
      }
    }
    scored.sort((a, b) => a.score - b.score || a.text.localeCompare(b.text));
    return scored.slice(0, limit).map((entry) => entry.hit);
  }

  private changed(): void {
    this.dirty = true;
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Writes pending changes now (atomically: a temp file renamed over the old one). */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      const data = await this.load();
      this.dirty = false;
      const temporary = `${this.file}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(this.file), { recursive: true });
        await writeFile(temporary, JSON.stringify(data));
        await rename(temporary, this.file);
      } catch {
        // A disposable cache: failing to save costs only future search results.
        this.dirty = true;
      }
    });
    return this.writing;
  }
}
