// Runs before `npm install` builds dependencies: keytar (the OS keychain binding) compiles from source
// on Linux against libsecret. On Debian/Ubuntu as root, install its headers; elsewhere say what is missing.
import { spawnSync } from 'node:child_process';

function has(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

if (process.platform === 'linux' && !has('pkg-config', ['--exists', 'libsecret-1'])) {
  const canApt = process.getuid?.() === 0 && has('apt-get', ['--version']);
  if (!canApt) {
    console.warn('berth: keytar needs libsecret headers to build (Debian/Ubuntu: libsecret-1-dev; Fedora: libsecret-devel).');
  } else {
    console.log('berth: installing libsecret-1-dev and pkg-config (needed to build keytar)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'libsecret-1-dev', 'pkg-config'], { stdio: 'inherit', env });
    if (install.status !== 0) process.exit(install.status ?? 1);
  }
}
