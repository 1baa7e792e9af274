// `npm start`: build, then run the desktop app. Electron downloads its binary on first use; where that
// cannot happen (no internet), start `berth serve` instead and open the same UI in the default browser.
//
//   node scripts/start.mjs              build, then the desktop app (or the browser fallback)
//   node scripts/start.mjs --no-build   skip the build when out/ already has one (tests)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = dirname(require.resolve('electron/package.json'));
// A real download is ~100 MB; where the network black-holes requests, the attempt must still end.
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

const args = new Set(process.argv.slice(2));
const built = ['out/main/index.js', 'out/cli/berth.mjs', 'out/renderer/index.html'].every((file) =>
  existsSync(join(root, file)),
);
if (!(args.has('--no-build') && built)) {
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

function binaryPresent() {
  try {
    // electron's index.js resolves the binary and would start a noisy download when it is absent.
    const relative = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return existsSync(join(electronDir, 'dist', relative));
  } catch {
    return false;
  }
}

function downloadElectron() {
  console.error("berth: downloading Electron's binary (first start)…");
  const download = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'pipe',
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  return download.status === 0 && binaryPresent();
}

if (binaryPresent() || downloadElectron()) runElectron();
else serveInBrowser();

function runElectron() {
  const app = spawnSync(require('electron'), ['.'], { cwd: root, stdio: 'inherit' });
  process.exit(app.status ?? 1);
}

/** The command that opens a URL in the default browser, or undefined where there is no desktop session. */
function browserOpener(url) {
  if (process.platform === 'darwin') return ['open', [url]];
  // `start` is a cmd built-in; its first quoted argument is a window title (empty here).
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '', url]];
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return ['xdg-open', [url]];
  return undefined;
}

function serveInBrowser() {
  console.error(
    'berth: Electron could not be downloaded on this machine; starting `berth serve` to use Berth in your browser (Ctrl+C stops it).',
  );
  // Its own process group, so a terminal's Ctrl+C reaches it once, through the forwarding below.
  const serve = spawn(process.execPath, [join(root, 'bin', 'berth.mjs'), 'serve'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: process.platform !== 'win32',
  });
  let output = '';
  let opened = false;
  serve.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (opened) return;
    output += chunk.toString();
    const url = output.match(/Berth UI: (http:\/\/\S+)/)?.[1];
    if (!url) return;
    opened = true;
    const opener = browserOpener(url);
    if (!opener) {
      console.error('berth: no desktop session (DISPLAY or WAYLAND_DISPLAY): open the address above in a browser.');
      return;
    }
    const [command, openerArgs] = opener;
    const child = spawn(command, openerArgs, { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`berth: could not run ${command}: open the address above in a browser.`));
    child.unref();
  });

  // npm and the terminal may both deliver one Ctrl+C: forward the first; a later one, after a pause, forces.
  let forwardedAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (forwardedAt === 0) {
        forwardedAt = Date.now();
        serve.kill(signal);
      } else if (Date.now() - forwardedAt > 2_000) {
        serve.kill('SIGKILL');
      }
    });
  }
  serve.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
}
