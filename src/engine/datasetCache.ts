// Keeps loaded data sets in memory so that views and sessions share one copy per split.
import type { DataSource } from '../data/source';
import { loadDataset, type Dataset } from '../data/dataset';

export type Split = 'train' | 'test';

export class DatasetCache {
  private readonly loading = new Map<string, Promise<Dataset>>();

  constructor(private readonly source: DataSource) {}

  get(name: string, split: Split): Promise<Dataset> {
    const key = `${name}/${split}`;
    let p = this.loading.get(key);
    if (!p) {
      p = loadDataset(this.source, name, split);
      // A failed load (missing or corrupt files) must not stick: the next call retries.
      p.catch(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }
}
