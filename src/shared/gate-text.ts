import type { z } from 'zod';
import type { stageGateSchema } from './gates';

/** How a gate reads in a plan, a log line or the lanes editor. */
export function describeGate(gate: z.infer<typeof stageGateSchema>): string {
  switch (gate.kind) {
    case 'signature':
      return gate.policy ? `signature verified by policy ${gate.policy}` : 'signature verified';
    case 'vulnerabilities':
      return `no vulnerabilities at or above ${gate.severity}`;
    case 'sbom':
      return 'SBOM attached';
  }
}
