// Node-only DataSource reading the prepared files from disk (CLI, tests). Only Node code may
// import this file: it pulls in node:fs, which the browser bundle must never contain.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataError, errorText } from './errors';
import { parseJson, type DataSource } from './source';

/** A source reading files below `dir` (normally <repo>/public/data). */
export function fsSource(dir: string): DataSource {
  const root = resolve(dir);
  const pathOf = (path: string) => join(root, ...path.split('/'));

  async function read(path: string): Promise<Uint8Array> {
    const file = pathOf(path);
    try {
      const buf = await readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT')
        throw new DataError(file, 'file not found: the prepared data is missing');
      throw new DataError(file, `could not read (${errorText(e)})`, { cause: e });
    }
  }

  return {
    describe: pathOf,
    async readJson(path) {
      return parseJson(new TextDecoder().decode(await read(path)), pathOf(path));
    },
    readBytes: read,
  };
}
