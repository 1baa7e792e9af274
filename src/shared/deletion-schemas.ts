/**
 * Schemas of what deletion requests carry (issue 16, parts 1 and 2): retention policies (shared by the
 * contract and the settings section that stores them), deletion steps and retention plans (a plan comes
 * back from the UI or a plan file, so every field is bounded and checked again before anything is written).
 */
import { z } from 'zod';
import { isRegExp } from './lane-rules';
import { planEntries as entries } from './plan-entries';

const name = (max: number) => z.string().min(1).max(max);
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'a digest like sha256:<64 hex>');
const tag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'a tag');

export const retentionPolicySchema = z.strictObject({
  keepLast: z.number().int().min(0).max(100_000).optional(),
  orderBy: z.enum(['created', 'semver']).optional(),
  keep: z.array(name(128)).max(16).optional(),
  keepRegex: z.array(name(128).refine(isRegExp, 'not a valid regular expression')).max(16).optional(),
  newerThanDays: z.number().min(0).max(36_500).optional(),
  pulledWithinDays: z.number().min(0).max(36_500).optional(),
});

export const storedRetentionPoliciesSchema = z
  .array(z.strictObject({ scope: name(512), policy: retentionPolicySchema }))
  .max(256);

export const deletionStepSchema = z.strictObject({
  registry: name(256),
  repository: name(256),
  action: z.enum(['untag', 'delete']),
  digest,
  tags: entries(tag, 10_000),
});

const orphanedReferrerSchema = z.strictObject({ reference: name(1024), kind: name(64) });

export const retentionPlanSchema = z.strictObject({
  version: z.literal(1),
  registry: name(256),
  scope: name(512),
  repositories: entries(name(256), 50_000),
  policy: retentionPolicySchema,
  repositoryPolicies: entries(
    z.strictObject({ repository: name(256), policy: retentionPolicySchema }),
    50_000,
  ).optional(),
  createdAt: z.string().max(64),
  keep: entries(z.strictObject({ tag, rule: name(1024), repository: name(256), digest }), 200_000),
  delete: entries(
    z.strictObject({ tag, digest, action: z.enum(['untag', 'delete']), rule: name(1024), repository: name(256) }),
    200_000,
  ),
  bytesFreed: z.number().int().min(0),
  orphanedReferrers: entries(orphanedReferrerSchema, 200_000),
  notes: z.array(z.string().max(2048)).max(100),
  planHash: z.string().regex(/^sha256:[a-f0-9]{64}$/),
});
