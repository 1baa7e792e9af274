// `npm start`: build, then run the desktop app. Electron downloads its binary on first use; where that
// cannot happen (no internet), say so in one line and point to the same UI in a browser.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));

const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function binaryPresent() {
  try {
    // electron's index.js resolves the binary and would start a noisy download when it is absent.
    const relative = require('node:fs').readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return require('node:fs').existsSync(join(electronDir, 'dist', relative));
  } catch {
    return false;
  }
}

if (!binaryPresent()) {
  const download = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'pipe' });
  if (download.status !== 0 || !binaryPresent()) {
    console.error('berth: Electron could not be downloaded on this machine; run `npm run serve` to use Berth in your browser.');
    process.exit(1);
  }
}
const app = spawnSync(require('electron'), ['.'], { stdio: 'inherit' });
process.exit(app.status ?? 1);
