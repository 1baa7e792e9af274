/**
 * The pure rules of promotion lanes, shared by the promotion engine (`promotion.next`) and the renderer
 * (the target a drop on a lane stage names), so both always agree on where an image goes.
 */
import { BerthError } from './errors';
import { isTag } from './reference';
import type { TagRewrite } from './types/promotion';

/** `dev`, `dev/` and `/dev/` all mean the `dev/` namespace; empty means the registry's root. */
export function normalizeNamespace(namespace: string): string {
  const trimmed = namespace.trim().replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/**
 * The tag a promotion into `stage` gives: the first rule (for this stage) whose pattern matches rewrites
 * it, else it is kept. A pattern that is not a valid regular expression never matches (lanes are checked
 * when saved; this keeps a hand-edited file from breaking a drop). A rewrite that yields an invalid tag is
 * an error naming the rule.
 */
export function rewriteTag(tag: string, rules: readonly TagRewrite[], stage: string): string {
  for (const rule of rules) {
    if (rule.toStage !== undefined && rule.toStage !== stage) continue;
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.from);
    } catch {
      continue;
    }
    if (!pattern.test(tag)) continue;
    const rewritten = tag.replace(pattern, rule.to);
    if (!isTag(rewritten)) {
      throw new BerthError(
        'invalid_input',
        `The tag rewrite ${rule.from} -> ${rule.to} turns "${tag}" into "${rewritten.slice(0, 140)}", which is not a valid tag.`,
      );
    }
    return rewritten;
  }
  return tag;
}

/** Whether a user-written pattern compiles as a JavaScript regular expression (lane rewrites, retention rules). */
export function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
