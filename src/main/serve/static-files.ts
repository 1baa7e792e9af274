import { createReadStream } from 'node:fs';
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
 * The same Content-Security-Policy as the desktop window: scripts and styles only from the app itself,
 * and connections only back to this server's WebSocket.
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

/** Serves the built renderer; unknown paths get index.html so deep links (`/repo/...`) load the app. */
export async function serveStatic(rootDir: string, urlPath: string, response: ServerResponse, port: number): Promise<void> {
  const relative = normalize(decodeURIComponent(urlPath.split('?')[0] ?? '/')).replace(/^([/\\])+/, '');
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
    const html = Buffer.from((await readFile(file, 'utf8')).replaceAll('="./', '="/'));
    response.writeHead(200, { ...headers, 'content-length': html.length }).end(html);
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-length': fileInfo.size,
  });
  createReadStream(file).pipe(response);
}
