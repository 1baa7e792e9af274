/**
 * The schema of a sync rule, shared by the contract (requests carry rules), the settings section that
 * stores them and the Sync view's form, so all three accept exactly the same rules.
 */
import { z } from 'zod';
import { planEntries } from './plan-entries';
import { PLATFORM_PATTERN } from './reference';

const location = z
  .string()
  .min(3)
  .max(512)
  .regex(/^[^\s/]+\/[^\s]*$/, 'host/namespace/ or host/repository');

export const syncRuleFields = {
  name: z.string().min(1).max(64).default('sync'),
  source: location,
  target: location,
  tags: z.string().min(1).max(256).optional(),
  latest: z.number().int().min(1).max(10_000).optional(),
  platforms: z.array(z.string().max(64).regex(PLATFORM_PATTERN, 'os/arch[/variant]')).min(1).max(32).optional(),
  referrers: z.boolean().default(true),
  mode: z.enum(['copy', 'mirror']).default('copy'),
  delete: z.boolean().default(false),
};

export const syncRuleSchema = z.object(syncRuleFields).refine((rule) => !rule.delete || rule.mode === 'mirror', {
  message: 'delete applies to mirror mode only',
  path: ['delete'],
});

export const syncRulesSchema = z
  .array(syncRuleSchema)
  .max(256)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.name))
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `rule "${rule.name}" appears twice` });
      seen.add(rule.name);
    });
  });

/**
 * What `sync.plan` and `sync.run` take: a stored rule by name, or a rule given whole (the CLI, the matrix),
 * and optionally the exact tags to consider (the matrix's selected cells), still within the rule's filter.
 */
export const syncRequestFields = {
  ruleName: z.string().min(1).max(64).optional(),
  rule: syncRuleSchema.optional(),
  onlyTags: z.array(z.string().min(1).max(128)).min(1).max(10_000).optional(),
};

/** A plan as `sync.plan` returned it, to run exactly (its extra fields are ignored). */
const digest = z.string().min(1).max(200);
const path = z.string().min(1).max(512);
export const syncPinnedPlanSchema = z.object({
  planHash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a plan hash (sha256:...) from sync.plan'),
  tags: planEntries(
    z.object({
      repository: path,
      sourceRepository: path,
      tag: z.string().min(1).max(128),
      action: z.enum(['new', 'same', 'differs', 'overwrite', 'delete']),
      digest,
      sourceDigest: digest.optional(),
      targetDigest: digest.optional(),
      artifactOf: z.string().min(1).max(700).optional(),
    }),
    20_000,
  ),
});

export function oneRule(input: { ruleName?: string | undefined; rule?: unknown }): boolean {
  return (input.ruleName === undefined) !== (input.rule === undefined);
}
