// The Likelihood view's Σ_θ panel: the profile the worker measured for the model in use (keyed
// by the model, so a swap shows nothing stale), whether it is being measured, and why it failed.
import { create } from 'zustand';
import type { SigmaProfile } from '../worker/api';

interface SigmaProfileStore {
  /** Which model `profile` belongs to (label and training steps). */
  modelKey: string | null;
  profile: SigmaProfile | null;
  busy: boolean;
  error: string | null;
  begin(modelKey: string): void;
  finish(outcome: { modelKey: string; profile?: SigmaProfile; error?: string }): void;
}

export const useSigmaProfile = create<SigmaProfileStore>()((set, get) => ({
  modelKey: null,
  profile: null,
  busy: false,
  error: null,
  begin: (modelKey) => set({ modelKey, profile: null, busy: true, error: null }),
  finish: ({ modelKey, profile, error }) => {
    // A result for a model that is no longer the one asked about is dropped.
    if (get().modelKey !== modelKey) return;
    set({ busy: false, profile: profile ?? null, error: error ?? null });
  },
}));
