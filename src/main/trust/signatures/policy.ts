/**
 * Trust policies, kept in the settings file under `trustPolicies`: per registry and namespace, the keys,
 * certificate identities, Sigstore roots and Notation CAs to trust, and whether a signature is required.
 * The policy for an image is the one whose registry matches and whose namespace is the longest prefix of
 * the repository.
 */
import { randomUUID } from 'node:crypto';
import { BerthError } from '../../../shared/errors';
import { MAX_POLICIES, trustPoliciesSchema } from '../../../shared/trust-policy';
import type { TrustPolicy } from '../../../shared/types/trust';
import type { SettingsStore } from '../../credentials/settings-store';
import { loadPublicKey } from './keys';
import { checkTrustedRoot } from './sigstore';

export const TRUST_SETTINGS_KEY = 'trustPolicies';

function regexProblem(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (error) {
    return `"${pattern}" is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** Refuses a policy whose keys, roots, CAs or patterns cannot be used, naming the first problem. */
export function checkPolicy(policy: TrustPolicy): void {
  const where = `Trust policy "${policy.name}"`;
  for (const key of policy.keys) loadPublicKey(key);
  for (const ca of policy.notationCAs) {
    if (!/-----BEGIN CERTIFICATE-----/.test(ca.pem))
      throw new BerthError('invalid_input', `${where}: Notation CA "${ca.name}" is not a PEM certificate.`);
  }
  for (const root of policy.trustedRoots) {
    try {
      checkTrustedRoot(root);
    } catch (error) {
      throw new BerthError(
        'invalid_input',
        `${where}: "${root.name}" is not a usable trusted_root.json: ${(error as Error).message}`,
      );
    }
  }
  for (const identity of policy.identities) {
    if (!identity.subject && !identity.subjectRegex && !identity.issuer && !identity.issuerRegex)
      throw new BerthError('invalid_input', `${where}: an identity needs a subject or an issuer.`);
    const problem = regexProblem(identity.subjectRegex) ?? regexProblem(identity.issuerRegex);
    if (problem) throw new BerthError('invalid_input', `${where}: ${problem}.`);
  }
}

export interface TrustPolicyStore {
  list(): TrustPolicy[];
  /** Adds a policy (a new id for one without) or replaces the one with its id, after checking it; the list after. */
  save(policy: Omit<TrustPolicy, 'id'> & { id?: string }): TrustPolicy[];
  /** Removes the policy with `id`; the list after. */
  remove(id: string): TrustPolicy[];
  /** The policy covering `registry`/`repository`, if any. */
  forRepository(registry: string, repository: string): TrustPolicy | undefined;
}

export function settingsTrustPolicyStore(settings: SettingsStore): TrustPolicyStore {
  const section = settings.section<TrustPolicy[]>(TRUST_SETTINGS_KEY, trustPoliciesSchema, []);
  return {
    list: () => section.get(),
    save(policy) {
      const complete = { ...policy, id: policy.id ?? randomUUID() };
      checkPolicy(complete);
      const current = section.get();
      const next = current.some((old) => old.id === complete.id)
        ? current.map((old) => (old.id === complete.id ? complete : old))
        : [...current, complete];
      if (next.length > MAX_POLICIES)
        throw new BerthError('invalid_input', `There are already ${MAX_POLICIES} trust policies; remove one first.`);
      section.set(next);
      return next;
    },
    remove(id) {
      const current = section.get();
      if (!current.some((policy) => policy.id === id))
        throw new BerthError('not_found', `There is no trust policy with id "${id}".`);
      const next = current.filter((policy) => policy.id !== id);
      section.set(next);
      return next;
    },
    forRepository: (registry, repository) => policyFor(section.get(), registry, repository),
  };
}

export function policyFor(
  policies: readonly TrustPolicy[],
  registry: string,
  repository: string,
): TrustPolicy | undefined {
  let best: TrustPolicy | undefined;
  for (const policy of policies) {
    if (policy.registry !== registry) continue;
    const prefix = policy.namespace.replace(/\/+$/, '');
    if (prefix && repository !== prefix && !repository.startsWith(`${prefix}/`)) continue;
    if (!best || prefix.length > best.namespace.replace(/\/+$/, '').length) best = policy;
  }
  return best;
}
