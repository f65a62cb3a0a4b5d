// Types of prep-io.mjs for the TypeScript tests (tsconfig has no allowJs).
import type { DatasetMeta, Part } from './prep-format.mjs';

export const PREP_VERSION: number;
export const STAMP_FILE: string;
export function isPrepared(dir: string, source: string): Promise<boolean>;
export function writeDataset(
  dir: string,
  meta: DatasetMeta,
  splits: { train: Iterable<Part>; test: Iterable<Part> },
  source: string,
): Promise<{ manifest: unknown; bytes: number }>;
export function fileIntegrity(file: string): Promise<string>;
export function npmPack(spec: string, destDir: string): Promise<string>;
export function extractTar(tgz: string, destDir: string, entries: string[]): Promise<void>;
