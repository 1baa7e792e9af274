/**
 * `npm start` where Electron's binary cannot be downloaded (every machine here, shared TESTWORLD.md):
 * scripts/start.mjs starts `berth serve` itself, prints its URL, opens it in the default browser when there
 * is a desktop session (a fake xdg-open first on PATH records what it was given), and stops on Ctrl+C.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../../env/cli';
import { freePort } from '../../env/ports';
import { SERVE_URL_LINE } from '../../env/serve';

const root = join(import.meta.dirname, '..', '..', '..');
let temp: string;
let fakeBin: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'berth-start-'));
  fakeBin = join(temp, 'bin');
  await mkdir(fakeBin);
  const opener = join(fakeBin, 'xdg-open');
  await writeFile(opener, `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(temp, 'opened')}'\n`);
  await chmod(opener, 0o755);
  env = {
    PATH: `${fakeBin}:${process.env.PATH}`,
    BERTH_CONFIG_DIR: join(temp, 'config'),
    // Electron's install.js must fail at once and never download: a mirror on a closed loopback port, and an
    // empty download cache (a cached zip would be unpacked into node_modules).
    ELECTRON_MIRROR: `http://127.0.0.1:${await freePort()}/`,
    electron_config_cache: join(temp, 'electron-cache'),
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
  };
});

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

/** `node scripts/start.mjs --no-build` (the suite has built out/ already), ready once the URL is printed. */
function start(extra: NodeJS.ProcessEnv) {
  return startCli(['--no-build'], SERVE_URL_LINE, {
    script: join(root, 'scripts', 'start.mjs'),
    env: { ...env, ...extra },
    timeoutMs: 90_000,
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('npm start without an Electron binary', () => {
  it('serves Berth, opens its URL with xdg-open in a desktop session, and stops on Ctrl+C', async () => {
    expect(
      existsSync(join(root, 'node_modules', 'electron', 'path.txt')),
      'an Electron binary is installed here: start.mjs would run it',
    ).toBe(false);
    const started = await start({ DISPLAY: ':99' });
    const [line, origin] = started.match as unknown as [string, string];
    const url = line.slice('Berth UI: '.length);
    try {
      expect(started.output()).toContain(
        'berth: Electron could not be downloaded on this machine; starting `berth serve`',
      );
      const opened = await until('xdg-open called', () =>
        readFile(join(temp, 'opened'), 'utf8').then(
          (text) => (text.endsWith('\n') ? text : undefined),
          () => undefined,
        ),
      );
      expect(opened).toBe(`${url}\n`);
      const page = await fetch(`${origin}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      // The serve child runs in its own process group: only the forwarded signal reaches it.
      expect(await started.stop('SIGINT')).toBe(0);
    }
    await expect(fetch(`${origin}/`)).rejects.toThrow();
  });

  it('opens nothing without DISPLAY or WAYLAND_DISPLAY, and says to open the address', async () => {
    await rm(join(temp, 'opened'), { force: true });
    const started = await start({});
    const [, origin] = started.match as unknown as [string, string];
    try {
      await until('the no-desktop line', () =>
        started
          .output()
          .includes('berth: no desktop session (DISPLAY or WAYLAND_DISPLAY): open the address above in a browser.')
          ? true
          : undefined,
      );
      expect((await fetch(`${origin}/`)).status).toBe(200);
      expect(existsSync(join(temp, 'opened'))).toBe(false);
    } finally {
      expect(await started.stop('SIGTERM')).toBe(0);
    }
  });
});
