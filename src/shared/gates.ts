/** The schema of a lane stage's gates, shared by the settings file and the API contract. */
import { z } from 'zod';
import { GATE_SEVERITIES } from './types/vulns';

export const stageGateSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('signature'),
    policy: z.string().min(1).max(128).optional().describe("trust policy id or name; the source's own when absent"),
  }),
  z.strictObject({ kind: z.literal('vulnerabilities'), severity: z.enum(GATE_SEVERITIES) }),
  z.strictObject({ kind: z.literal('sbom') }),
]);

export const stageGatesSchema = z.array(stageGateSchema).max(8);

// Kept in a zod-free module: the CLI's entry chunk formats gates without loading zod (start-up).
export { describeGate } from './gate-text';
