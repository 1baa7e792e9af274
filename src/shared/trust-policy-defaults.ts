import type { z } from 'zod';
import type { trustPolicyInputSchema } from './trust-policy';

type TrustPolicyInput = z.infer<typeof trustPolicyInputSchema>;

/** A policy that trusts nothing yet and requires a signature: the start of a new one, and what applies when none does. */
export function emptyTrustPolicy(
  registry: string,
  namespace: string,
  name = namespace ? `${registry}/${namespace}` : registry,
) {
  return {
    name,
    registry,
    namespace,
    required: true,
    keys: [],
    identities: [],
    trustedRoots: [],
    notationCAs: [],
    checkReference: false,
    acceptedReferences: [],
  } satisfies TrustPolicyInput;
}
