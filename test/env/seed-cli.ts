/**
 * `npm run seed -- --registry HOST:PORT [--username U --password P] [--concurrency N] [--scale]`
 * Pushes the SEED content (with --scale: the scale content of seed-scale.ts, 5,000 repositories and a
 * 10,000-tag repository) into any registry reachable over plain HTTP (a local test registry) and prints the
 * digests as JSON on stdout; progress and timing go to stderr.
 */
import { parseArgs } from 'node:util';
import { seedRegistry } from './seed';
import { seedScaleRegistry } from './seed-scale';

const USAGE =
  'usage: npm run seed -- --registry 127.0.0.1:PORT [--username USER --password PASS] [--concurrency N] [--scale]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        registry: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        concurrency: { type: 'string' },
        scale: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (
    !values.registry ||
    (values.username === undefined) !== (values.password === undefined) ||
    (concurrency !== undefined && !(concurrency >= 1))
  ) {
    console.error(USAGE);
    return 2;
  }
  console.error(`seeding ${values.registry} ...`);
  const target = { host: values.registry, username: values.username, password: values.password };
  const result = await (values.scale ? seedScaleRegistry : seedRegistry)(target, { concurrency });
  console.error(`seeded ${values.registry} in ${result.durationMs} ms`);
  console.log(JSON.stringify(result, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
