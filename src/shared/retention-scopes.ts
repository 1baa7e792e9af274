/**
 * Editing the stored retention policies: one policy per scope (`host/repository` or `host/namespace/`);
 * setting a scope's policy replaces the one stored for exactly that scope, no policy removes it.
 */
import type { RetentionPolicy, StoredRetentionPolicy } from './types/deletion';

export function withScopePolicy(
  policies: readonly StoredRetentionPolicy[],
  scope: string,
  policy: RetentionPolicy | undefined,
): StoredRetentionPolicy[] {
  const others = policies.filter((entry) => entry.scope !== scope);
  return policy ? [...others, { scope, policy }].sort((a, b) => a.scope.localeCompare(b.scope)) : others;
}

/** The policy stored for exactly this scope. */
export function scopePolicy(policies: readonly StoredRetentionPolicy[], scope: string): RetentionPolicy | undefined {
  return policies.find((entry) => entry.scope === scope)?.policy;
}
