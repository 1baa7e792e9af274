/**
 * Promotion: copy an image to another tag, repository or registry keeping its digest (plan first, the
 * cheapest correct execution, safe write order), or through the Docker engine; lanes and the audit log.
 */
export {
  createPromotionService,
  type NextRequest,
  type PromotionRequest,
  type PromotionService,
  type PromotionServiceOptions,
  type RunOptions,
} from './service';
export { createAuditLog, AUDIT_FILE_NAME, type AuditLog, type AuditQuery } from './audit-log';
export {
  settingsLaneStore,
  nextStage,
  rewriteTag,
  normalizeNamespace,
  type LaneStore,
  type RegistryHostLookup,
} from './lanes';
export type { PromotionSnapshot, PromotionProgressListener } from './progress';
export { evaluateGates, stagesForTarget, type GateDeps } from './gates';
