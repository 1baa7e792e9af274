// `npm run dist` runs this before electron-builder: keytar is an optional dependency (npm drops it where its
// native build fails), and an installer packed without it would keep every credential for the session only.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const NEEDS = {
  linux: 'libsecret (Debian/Ubuntu: apt-get install libsecret-1-dev; Fedora: libsecret-devel)',
  darwin: 'the Xcode command line tools (xcode-select --install)',
  win32: 'the Visual Studio C++ build tools',
};

try {
  require('keytar');
} catch (error) {
  const absent = error?.code === 'MODULE_NOT_FOUND' && /['"]keytar['"]/.test(error.message);
  const what = absent ? 'is not installed' : `does not load (${String(error?.message ?? error).split('\n')[0]})`;
  console.error(
    `berth dist: the OS keychain binding (keytar) ${what}, so the installer would keep credentials for this session only. ` +
      `Install ${NEEDS[process.platform] ?? 'a C++ build toolchain'}, then run \`${absent ? 'npm install' : 'npm rebuild keytar'}\` and \`npm run dist\` again.`,
  );
  process.exit(1);
}
