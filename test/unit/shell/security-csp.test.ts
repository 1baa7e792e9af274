/**
 * The desktop window's Content-Security-Policy. The page loads from file://, where the shell's response header
 * may not apply, so the built page itself must carry the policy in a meta tag; the header comes from the same
 * text. Reads the built page: run `npm run build` first when running by hand (`npm test` builds before tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CSP, metaContentSecurityPolicy } from '../../../src/main/shell/window-options';

const root = join(import.meta.dirname, '..', '..', '..');
const builtPage = () => readFileSync(join(root, 'out', 'renderer', 'index.html'), 'utf8');

/** directive -> sources, as a browser reads a policy. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

describe('the desktop page policy', () => {
  it('is in a meta tag of the built page, ahead of anything the page loads', () => {
    const page = builtPage();
    const head = page.slice(0, page.indexOf('</head>'));
    const metas = [...page.matchAll(/<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy/gi)];
    expect(metas).toHaveLength(1);
    const firstLoad = head.search(/<(script|link|style)\b/i);
    expect(firstLoad).toBeGreaterThan(0);
    expect(metas[0]!.index).toBeLessThan(firstLoad);
  });

  it('is strict: only the app itself, no inline or eval script, no network, no frame-ancestors (ignored in meta)', () => {
    const policy = directives(metaContentSecurityPolicy(builtPage()));
    expect(["'none'", "'self'"]).toContainEqual(policy.get('default-src')?.join(' '));
    const scripts = policy.get('script-src') ?? policy.get('default-src') ?? [];
    expect(scripts).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.has('frame-ancestors')).toBe(false);
    for (const [name, sources] of policy) {
      for (const source of sources)
        expect(source, `${name} ${source}`).not.toMatch(
          /^\*$|^(https?|wss?):|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/,
        );
    }
  });

  it('is the header the shell sends too, from the same text, with frame-ancestors added', () => {
    expect(DESKTOP_CSP).toBe(`${metaContentSecurityPolicy(builtPage())}; frame-ancestors 'none'`);
    expect(directives(DESKTOP_CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('refuses a page without one', () => {
    expect(() => metaContentSecurityPolicy('<html><head><meta charset="utf-8"></head></html>')).toThrow(
      /no Content-Security-Policy meta/,
    );
    expect(metaContentSecurityPolicy(`<meta content="default-src 'none'" http-equiv=Content-Security-Policy>`)).toBe(
      "default-src 'none'",
    );
  });
});
