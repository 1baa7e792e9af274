// `npm test`: the whole suite, as CI runs it. Provisions the real services' packages (Debian, as root),
// then lint (eslint, prettier --check), typecheck, build, and every vitest test (unit, integration on real services, e2e in Chromium).
// Ends with one plain line "Tests: N passed, N failed" and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const results = join('test-results', 'vitest.json');

function step(name, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n== ${name}: ${command} ${args.join(' ')}\n`);
  const run = spawnSync(command, args, { stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    process.stdout.write(`== ${name} FAILED after ${seconds}s (exit ${run.status ?? run.signal})\n`);
    return false;
  }
  process.stdout.write(`== ${name} ok (${seconds}s)\n`);
  return true;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const ok =
  step('provision', process.execPath, ['test/env/provision.mjs']) &&
  step('lint', npx, ['eslint', '.']) &&
  step('format', npx, ['prettier', '--check', '.']) &&
  step('typecheck (node)', npx, ['tsc', '--noEmit', '-p', 'tsconfig.node.json']) &&
  step('typecheck (web)', npx, ['tsc', '--noEmit', '-p', 'tsconfig.web.json']) &&
  step('build', 'npm', ['run', 'build']);

if (!ok) {
  process.stdout.write('\nTests: 0 passed, 1 failed\n');
  process.exit(1);
}

mkdirSync('test-results', { recursive: true });
const vitest = spawnSync(
  npx,
  ['vitest', 'run', '--reporter=default', `--reporter=json`, `--outputFile.json=${results}`],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (vitest.status !== 0 && failed === 0) failed = 1;
// Nothing is silently skipped: a skipped test fails the suite.
if (skipped > 0) process.stdout.write(`\n${skipped} test(s) were skipped; the suite allows none.\n`);
process.stdout.write(`\nTests: ${passed} passed, ${failed + skipped} failed\n`);
process.exit(failed + skipped === 0 && passed > 0 ? 0 : 1);
