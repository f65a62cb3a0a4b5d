// File-system and process side of scripts/prepare-data.mjs: atomic data set folders with a stamp
// (so re-runs are instant), tarball download via `npm pack`, integrity check, tar extraction.
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { FORMAT_VERSION, buildManifest, encodeShard, chunkSplit } from './prep-format.mjs';

const run = promisify(execFile);

/** Bump when the output of the prepare step changes, so existing folders are rebuilt. */
export const PREP_VERSION = 1;
export const STAMP_FILE = 'stamp.json';

/**
 * True when `dir` holds a complete data set written by this PREP_VERSION from `source`: the stamp
 * (written last) exists and every file it lists has the recorded size. Cheap: no hashing.
 */
export async function isPrepared(dir, source) {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP_FILE), 'utf8'));
    if (stamp.prepVersion !== PREP_VERSION || stamp.formatVersion !== FORMAT_VERSION) return false;
    if (stamp.source !== source || !stamp.files?.['manifest.json']) return false;
    for (const [file, size] of Object.entries(stamp.files)) {
      if ((await stat(join(dir, file))).size !== size) return false;
    }
    return true;
  } catch {
    return false; // missing or unreadable stamp/file: not prepared
  }
}

/**
 * Writes a data set folder: shards, manifest.json, stamp.json. It builds everything in a sibling
 * temp folder and swaps it in at the end, so an interrupted run never leaves a half-written set.
 * `splits.train` / `splits.test` are iterables of { images, labels } parts (consumed lazily, so
 * callers can decode one source file at a time). Returns { manifest, bytes }.
 */
export async function writeDataset(dir, meta, splits, source) {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const imageSize = meta.height * meta.width * meta.channels;
    const files = {};
    const shards = { train: [], test: [] };
    for (const split of ['train', 'test']) {
      for (const part of splits[split]) {
        for (const chunk of chunkSplit(part.images, part.labels, imageSize)) {
          const file = `${split}-${shards[split].length}.bin.gz`;
          const { count, sha256, gz } = encodeShard(chunk.images, chunk.labels, imageSize);
          await writeFile(join(tmp, file), gz);
          files[file] = gz.length;
          shards[split].push({ file, count, sha256 });
        }
      }
    }
    const manifest = buildManifest({ ...meta, splits: shards });
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeFile(join(tmp, 'manifest.json'), manifestText);
    files['manifest.json'] = Buffer.byteLength(manifestText);
    const stamp = { prepVersion: PREP_VERSION, formatVersion: FORMAT_VERSION, source, files };
    await writeFile(join(tmp, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);

    const old = `${dir}.old-${process.pid}`;
    await rm(old, { recursive: true, force: true });
    await rename(dir, old).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
    const bytes = Object.values(files).reduce((a, b) => a + b, 0);
    return { manifest, bytes };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** npm-style Subresource Integrity string ('sha512-<base64>') of a file, streamed. */
export async function fileIntegrity(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

/** Downloads a package tarball with `npm pack` (npm's own registry config, proxy and cache). */
export async function npmPack(spec, destDir) {
  await mkdir(destDir, { recursive: true });
  let stdout;
  try {
    ({ stdout } = await run('npm', ['pack', spec, '--pack-destination', destDir, '--json'], {
      shell: process.platform === 'win32', // npm is npm.cmd there
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (e) {
    // npm's stderr: "npm error code ECONNREFUSED", ..., "npm error <message>", then boilerplate
    // (log file, proxy advice). Keep the code and the message.
    const noise = /^(syscall|errno|A complete log|If you are behind|$)/;
    const lines = String(e.stderr || e.message)
      .split('\n')
      .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
      .filter((l) => !noise.test(l));
    const detail = lines.slice(0, 2).join('; ');
    throw new Error(`\`npm pack ${spec}\` failed: ${detail}`, { cause: e });
  }
  try {
    const [info] = JSON.parse(stdout);
    return join(destDir, basename(info.filename));
  } catch (e) {
    throw new Error(`\`npm pack ${spec}\` printed no file name: ${stdout.slice(0, 200)}`, {
      cause: e,
    });
  }
}

/** Extracts the named entries of a .tgz into destDir with the system tar. */
export async function extractTar(tgz, destDir, entries) {
  try {
    await run('tar', ['-xzf', tgz, '-C', destDir, ...entries]);
  } catch (e) {
    const detail = String(e.stderr || e.message).trim();
    throw new Error(`could not extract ${tgz}: ${detail}`, { cause: e });
  }
}
