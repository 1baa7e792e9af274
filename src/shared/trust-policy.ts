/**
 * The schemas of trust policies (settings `trustPolicies`, the `trust.*` requests): one definition for the
 * settings file and the API door. Bounds keep hostile input from costing memory or time, and are sized to
 * what a real policy holds: a PEM key or certificate chain is a few KiB (16 KiB allowed), Sigstore's
 * public-good trusted_root.json about 8 KiB (64 KiB allowed). Policies travel one per call
 * (`trust.savePolicy`), so one policy's worst case (about 5.7 MB as JSON) bounds the serve frame limit
 * (src/main/serve/frame-limit.ts), not the whole list's.
 */
import { z } from 'zod';

const text = (max: number) => z.string().min(1).max(max);
const pemEntry = z.strictObject({ name: text(256), pem: text(16 * 1024) });
const pemEntries = z.array(pemEntry).max(16);

export const trustIdentitySchema = z.strictObject({
  subject: text(1024).optional(),
  subjectRegex: text(1024).optional(),
  issuer: text(1024).optional(),
  issuerRegex: text(1024).optional(),
});

const trustedRootSchema = z.strictObject({ name: text(256), json: text(64 * 1024) });
const trustedRoots = z.array(trustedRootSchema).max(4);
const identities = z.array(trustIdentitySchema).max(32);
const acceptedReferences = z.array(text(512)).max(32);

const policyFields = {
  name: text(256),
  registry: text(256),
  namespace: z.string().max(256),
  required: z.boolean(),
  keys: pemEntries,
  identities,
  trustedRoots,
  notationCAs: pemEntries,
  checkReference: z.boolean(),
  acceptedReferences,
};

export const trustPolicySchema = z.strictObject({ id: text(128), ...policyFields });
/** A policy as the Settings view sends it: a new one has no id yet. */
export const trustPolicyInputSchema = z.strictObject({ id: text(128).optional(), ...policyFields });
export const MAX_POLICIES = 256;
export const trustPoliciesSchema = z.array(trustPolicySchema).max(MAX_POLICIES);

/** What a request (the CLI's flags) puts in place of the settings' policy; absent fields come from there. */
export const trustOverrideSchema = z.strictObject({
  keys: pemEntries.optional(),
  identities: identities.optional(),
  trustedRoots: trustedRoots.optional(),
  notationCAs: pemEntries.optional(),
  checkReference: z.boolean().optional(),
  acceptedReferences: acceptedReferences.optional(),
});
export type TrustOverride = z.infer<typeof trustOverrideSchema>;

// Kept in a zod-free module: the renderer builds new policies without loading zod (whose eval probe the
// desktop's Content-Security-Policy reports).
export { emptyTrustPolicy } from './trust-policy-defaults';
