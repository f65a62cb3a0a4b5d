// Loading state of the pretrained models, for the model panel and the Sampling view.
import { create } from 'zustand';
import type { DatasetName } from '../worker/api';

interface PretrainedStore {
  /** Data sets whose pretrained model is being downloaded and checked. */
  loading: DatasetName[];
  error: string | null;
  /** Data sets whose automatic load failed: the page does not retry them by itself. */
  failed: DatasetName[];
  begin(dataset: DatasetName): void;
  end(dataset: DatasetName, outcome: { error: string | null; auto: boolean }): void;
  clearError(): void;
}

export const usePretrained = create<PretrainedStore>()((set) => ({
  loading: [],
  error: null,
  failed: [],
  begin: (dataset) => set((s) => ({ loading: [...s.loading, dataset], error: null })),
  end: (dataset, { error, auto }) =>
    set((s) => {
      const i = s.loading.indexOf(dataset);
      const loading = i < 0 ? s.loading : [...s.loading.slice(0, i), ...s.loading.slice(i + 1)];
      const failed =
        error && auto && !s.failed.includes(dataset) ? [...s.failed, dataset] : s.failed;
      return { loading, failed, error: error ?? s.error };
    }),
  clearError: () => set({ error: null }),
}));
