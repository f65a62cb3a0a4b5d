// Default locations inside the repository, for the CLI commands.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm run prepare-data` writes the data sets. */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, 'public', 'data');
/** The shipped MNIST judge (written by `train-classifier`, read by `eval`). */
export const DEFAULT_JUDGE_DIR = path.join(REPO_ROOT, 'models', 'mnist-classifier');
export const DEFAULT_CIFAR10_JUDGE_DIR = path.join(REPO_ROOT, 'models', 'cifar10-classifier');
