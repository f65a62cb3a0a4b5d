// File access shared by the Node-only stores (checkpoint/fsStore.ts, judge/fsStore.ts): every
// failure becomes a CheckpointError('io') naming what was being read or written and where, and
// writes go through a temporary name so an interrupted save never leaves a half file.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { CheckpointError, messageOf } from './errors';

/** `what` names the thing for messages: 'checkpoint file', 'judge directory', ... */
export function ioError(what: string, path: string, e: unknown): CheckpointError {
  const code = (e as { code?: unknown } | null)?.code;
  const message =
    code === 'ENOENT'
      ? `${what} ${path} does not exist`
      : `cannot access ${what} ${path}: ${messageOf(e)}`;
  return new CheckpointError('io', message, { cause: e });
}

/** Writes to `${path}.tmp` and renames it over `path`. */
export async function writeAtomic(what: string, path: string, data: string | Uint8Array) {
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    throw ioError(what, path, e);
  }
}

export async function readBytes(what: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw ioError(what, path, e);
  }
}

export async function makeDir(what: string, dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(what, dir, e);
  }
}

/** Whether `path` is a directory; an io CheckpointError when it cannot be read at all. */
export async function isDirectory(what: string, path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    throw ioError(what, path, e);
  }
}

/** Throws unless `dir` is an existing directory. */
export async function requireDirectory(what: string, dir: string): Promise<void> {
  if (!(await isDirectory(what, dir))) {
    throw new CheckpointError('io', `${what} ${dir} is not a directory`);
  }
}
