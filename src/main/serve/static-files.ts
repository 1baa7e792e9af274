import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serve's Content-Security-Policy, the desktop window's (src/renderer/index.html) but for two directives:
 * connections go back to this server's WebSocket, and no other page may frame this one.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The page's own `<meta http-equiv="Content-Security-Policy">` is the desktop window's policy, which allows no
 * network at all (`connect-src 'none'`). A meta policy applies on top of a header policy (a load must pass
 * both), so left in place it would block this server's WebSocket. Serve drops it and sends its own policy as a
 * header instead. Widening the meta to allow loopback WebSockets would weaken the desktop renderer, which needs
 * no network; stripping here changes nothing on the desktop, and if the build ever wrote the tag in a form this
 * misses, the served page fails closed (it cannot connect) rather than open.
 */
const CSP_META = /<meta\b[^>]*\bhttp-equiv\s*=\s*["']?content-security-policy\b[^>]*>\s*/gi;

/** The request path, percent-decoded; undefined for a malformed one (`%E0%A4%A`), which names no file. */
function decodedPath(urlPath: string): string | undefined {
  try {
    return decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
}

/** Serves the built renderer; unknown or malformed paths get index.html so deep links (`/repo/...`) load the app. */
export async function serveStatic(
  rootDir: string,
  urlPath: string,
  response: ServerResponse,
  port: number,
): Promise<void> {
  const relative = normalize(decodedPath(urlPath) ?? '/').replace(/^([/\\])+/, '');
  let file = join(rootDir, relative);
  if (!file.startsWith(rootDir + sep) && file !== rootDir) {
    response.writeHead(404).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) file = join(rootDir, 'index.html');
  const fileInfo = info?.isFile() ? info : await stat(file).catch(() => undefined);
  if (!fileInfo) {
    response.writeHead(503, { 'content-type': 'text/plain' }).end('The Berth UI is not built: run `npm run build`.\n');
    return;
  }
  const headers = {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  if (file === join(rootDir, 'index.html')) {
    // The build refers to its assets relatively (./assets/...), as the desktop app's file:// page needs; a
    // deep link like /registries/x/repositories/a/b must still find them at the root.
    const html = Buffer.from((await readFile(file, 'utf8')).replace(CSP_META, '').replaceAll('="./', '="/'));
    response.writeHead(200, { ...headers, 'content-length': html.length }).end(html);
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-length': fileInfo.size,
  });
  // pipeline, not pipe: a read error (the build replaced under a running server) ends this response, not the
  // process, which an unhandled stream 'error' would.
  pipeline(createReadStream(file), response, () => undefined);
}
