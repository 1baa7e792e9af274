/**
 * One answer per question while a sync plans: tags of one repository share layers, and promotion's planner,
 * run once per tag, would HEAD each shared blob at the target once per tag, and HEAD again a target tag the
 * sync already looked up (or knows absent from the tag list). Planning writes nothing, so an answer stays
 * true for the whole plan. Execution uses the real client: its checks after a write must ask the registry.
 */
import { formatReference, parseReference } from '../../shared/reference';
import type { RegistryClient } from '../registry';

type Head = Awaited<ReturnType<RegistryClient['headManifest']>>;

export interface PlanningClient {
  client: RegistryClient;
  /** Records what the sync learnt another way (a tag absent from the tag list, a HEAD it made itself). */
  know(registry: string, repository: string, tag: string, head: Head): void;
}

export function planningClient(client: RegistryClient): PlanningClient {
  const answers = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, ask: () => Promise<T>): Promise<T> => {
    const known = answers.get(key) as Promise<T> | undefined;
    if (known) return known;
    const answer = ask();
    answers.set(key, answer);
    // A failed or cancelled question is asked again by the next one who needs it.
    answer.catch(() => answers.delete(key));
    return answer;
  };
  const manifestKey = (ref: Parameters<RegistryClient['headManifest']>[0]) =>
    `manifest ${formatReference(typeof ref === 'string' ? parseReference(ref) : ref)}`;
  const planning: RegistryClient = Object.create(client);
  planning.headBlob = (repo, digest, options) =>
    once(`blob ${repo.registry}/${repo.repository}@${digest}`, () => client.headBlob(repo, digest, options));
  planning.headManifest = (ref, options) => once(manifestKey(ref), () => client.headManifest(ref, options));
  return {
    client: planning,
    know(registry, repository, tag, head) {
      answers.set(manifestKey({ registry, repository, tag }), Promise.resolve(head));
    },
  };
}
