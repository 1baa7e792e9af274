/**
 * Debian control-file stanzas (deb822: https://manpages.debian.org/bookworm/dpkg-dev/deb822.5.en.html), as
 * dpkg's status database and distroless' status.d files hold them, and the one-letter `K:value` stanzas of
 * apk's installed database (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2).
 */

/** Stanzas separated by blank lines; continuation lines (leading space or tab) are folded into their field. */
export function parseDeb822(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      last = undefined;
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last !== undefined) current.set(last, `${current.get(last)}\n${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      current.set(last, line.slice(colon + 1).trim());
    }
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

/** apk's installed database: `K:value` lines, packages separated by blank lines; repeated keys keep the first. */
export function parseApkStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
    } else if (line[1] === ':' && !current.has(line[0]!)) {
      current.set(line[0]!, line.slice(2));
    }
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

/** Email-header metadata (Python's METADATA / PKG-INFO, https://packaging.python.org/en/latest/specifications/core-metadata/). */
export function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    // The body (the long description) starts after the first blank line.
    if (line.trim() === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return headers;
}
