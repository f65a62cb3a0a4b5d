// Checkpoints in the browser's IndexedDB (page or worker), by name. Deliberately thin: it stores
// and returns the two files, and loads are validated by decodeCheckpoint like any other source.
// Not unit-tested (Node has no IndexedDB); the e2e tests cover it.
//
// Two object stores, so that listing never reads megabytes of weights:
//   meta     keyPath "name": { name, savedAt, summary, modelJson }
//   weights  out-of-line key name: the weights.bin ArrayBuffer
import { CheckpointError, messageOf } from './errors';
import { summarizeManifest, type CheckpointSummary } from './manifest';
import type { CheckpointManifest, EncodedCheckpoint, RawCheckpoint } from './types';

export const IDB_NAME = 'diffusion-playground-checkpoints';
const IDB_VERSION = 1;
const META = 'meta';
const WEIGHTS = 'weights';
export const MAX_NAME_LENGTH = 100;

export interface StoredCheckpointInfo {
  name: string;
  /** ISO time of the save into this store (createdAt in the summary is the training time). */
  savedAt: string;
  summary: CheckpointSummary;
}

interface MetaRecord extends StoredCheckpointInfo {
  modelJson: CheckpointManifest;
}

/** Trimmed, non-empty, at most MAX_NAME_LENGTH characters, no control characters. */
export function validateCheckpointName(name: unknown): string {
  const s = typeof name === 'string' ? name.trim() : '';
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (s === '' || s.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(s)) {
    throw new CheckpointError(
      'format',
      `checkpoint name ${JSON.stringify(name)} must be 1-${MAX_NAME_LENGTH} printable characters`,
    );
  }
  return s;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbCheckpointStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory | undefined = globalThis.indexedDB,
    readonly dbName = IDB_NAME,
  ) {}

  private open(): Promise<IDBDatabase> {
    const factory = this.factory;
    if (!factory) {
      return Promise.reject(
        new CheckpointError('io', 'browser storage (IndexedDB) is not available'),
      );
    }
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(this.dbName, IDB_VERSION);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(META, { keyPath: 'name' });
        req.result.createObjectStore(WEIGHTS);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('cannot open IndexedDB'));
    }).catch((e: unknown) => {
      this.db = null; // let a later call retry
      throw e;
    });
    return this.db;
  }

  /** Runs fn in one transaction and turns any failure into a CheckpointError. */
  private async run<T>(
    what: string,
    mode: IDBTransactionMode,
    fn: (meta: IDBObjectStore, weights: IDBObjectStore) => Promise<T>,
  ): Promise<T> {
    try {
      const tx = (await this.open()).transaction([META, WEIGHTS], mode);
      const done = completion(tx);
      done.catch(() => undefined); // if fn fails, its error is reported, not the abort as well
      const result = await fn(tx.objectStore(META), tx.objectStore(WEIGHTS));
      await done;
      return result;
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('io', `browser storage could not ${what}: ${messageOf(e)}`, {
        cause: e,
      });
    }
  }

  /** Saves (or overwrites) a checkpoint under name. */
  async save(name: string, encoded: EncodedCheckpoint): Promise<StoredCheckpointInfo> {
    const key = validateCheckpointName(name);
    const info: StoredCheckpointInfo = {
      name: key,
      savedAt: new Date().toISOString(),
      summary: summarizeManifest(encoded.modelJson),
    };
    const record: MetaRecord = { ...info, modelJson: encoded.modelJson };
    await this.run(`save checkpoint "${key}"`, 'readwrite', async (meta, weights) => {
      await Promise.all([request(meta.put(record)), request(weights.put(encoded.weights, key))]);
    });
    return info;
  }

  /** Every stored checkpoint, newest save first. */
  async list(): Promise<StoredCheckpointInfo[]> {
    const records = await this.run('list checkpoints', 'readonly', (meta) =>
      request(meta.getAll() as IDBRequest<MetaRecord[]>),
    );
    return records
      .map(({ name, savedAt, summary }) => ({ name, savedAt, summary }))
      .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** The stored files, unvalidated: pass them to decodeCheckpoint. */
  async load(name: string): Promise<RawCheckpoint> {
    const key = validateCheckpointName(name);
    const [record, weights] = await this.run(`load checkpoint "${key}"`, 'readonly', (m, w) =>
      Promise.all([
        request(m.get(key) as IDBRequest<MetaRecord | undefined>),
        request(w.get(key) as IDBRequest<ArrayBuffer | undefined>),
      ]),
    );
    if (!record || !(weights instanceof ArrayBuffer)) {
      throw new CheckpointError('io', `no checkpoint named "${key}" in browser storage`);
    }
    return { modelJson: record.modelJson, weights };
  }

  async remove(name: string): Promise<void> {
    const key = validateCheckpointName(name);
    await this.run(`delete checkpoint "${key}"`, 'readwrite', async (meta, weights) => {
      await Promise.all([request(meta.delete(key)), request(weights.delete(key))]);
    });
  }

  close(): void {
    void this.db?.then((db) => db.close()).catch(() => undefined);
    this.db = null;
  }
}
