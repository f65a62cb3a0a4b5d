// State of the guidance trade-off panel, outside the view so a run and its results survive tab
// switches: the settings, the run in progress and each scale's result as it arrives.
import { create } from 'zustand';
import type {
  EvaluationProgress,
  EvaluationSummary,
  JudgeSummary,
  ScaleResult,
} from '../worker/api';
import { DEFAULT_SCALES_TEXT, secondsLeft } from './evaluationFormat';

export interface EvaluationSettings {
  /** Class-balanced: a multiple of 10 gives every digit the same count. */
  samplesPerScale: number;
  steps: number;
  seed: number;
  /** As typed; parsed with parseScales when the run starts. */
  scalesText: string;
  /** What the scales are: classifier-free s, or classifier guidance's s (the model's null class). */
  guidanceMethod: 'classifier-free' | 'classifier';
}

/** Small enough to finish in a lesson on a laptop's CPU: 5 digits per class, 6 scales. */
export const DEFAULT_EVALUATION: EvaluationSettings = {
  samplesPerScale: 50,
  steps: 50,
  seed: 0,
  scalesText: DEFAULT_SCALES_TEXT,
  guidanceMethod: 'classifier-free',
};

export const SAMPLE_COUNTS: readonly number[] = [20, 50, 100, 200];

interface EvaluationStore {
  settings: EvaluationSettings;
  running: boolean;
  /** Cancel was pressed; the worker stops after its current step. */
  cancelling: boolean;
  judge: JudgeSummary | null;
  progress: EvaluationProgress | null;
  /** performance.now() when the run started. */
  startedMs: number | null;
  /** At the pace so far, as of the last progress report; null before there is one. */
  secondsLeft: number | null;
  /** One per finished scale, in run order. */
  results: ScaleResult[];
  /** The method of `results`. */
  resultsMethod: EvaluationSettings['guidanceMethod'];
  /** The last finished curve of the OTHER method (same model), drawn beside the current one. */
  comparison: { method: EvaluationSettings['guidanceMethod']; results: ScaleResult[] } | null;
  summary: EvaluationSummary | null;
  /** Which model the results describe (the model in use may change later). */
  modelLabel: string | null;
  error: string | null;
  /** Why the last run stopped early, when it was cancelled. */
  note: string | null;
  /** Counts runs: events of an older run are dropped. */
  run: number;
  setSettings(patch: Partial<EvaluationSettings>): void;
  begin(modelLabel: string): number;
  setJudge(judge: JudgeSummary): void;
  setProgress(progress: EvaluationProgress): void;
  addResult(result: ScaleResult): void;
  finish(outcome: { summary?: EvaluationSummary; error?: string; note?: string }): void;
  setCancelling(): void;
}

export const useEvaluation = create<EvaluationStore>()((set, get) => ({
  settings: DEFAULT_EVALUATION,
  running: false,
  cancelling: false,
  judge: null,
  progress: null,
  startedMs: null,
  secondsLeft: null,
  results: [],
  resultsMethod: 'classifier-free',
  comparison: null,
  summary: null,
  modelLabel: null,
  error: null,
  note: null,
  run: 0,
  setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
  begin: (modelLabel) => {
    const s = get();
    const run = s.run + 1;
    const method = s.settings.guidanceMethod;
    const sameModel = s.modelLabel === modelLabel;
    const comparison = !sameModel
      ? null
      : s.resultsMethod !== method && s.results.length > 0
        ? { method: s.resultsMethod, results: s.results }
        : s.comparison;
    set({
      comparison,
      resultsMethod: method,
      run,
      running: true,
      cancelling: false,
      progress: null,
      startedMs: performance.now(),
      secondsLeft: null,
      results: [],
      summary: null,
      modelLabel,
      error: null,
      note: null,
    });
    return run;
  },
  setJudge: (judge) => set({ judge }),
  setProgress: (progress) =>
    set((s) => ({
      progress,
      secondsLeft:
        s.startedMs === null
          ? null
          : secondsLeft(progress.fraction, (performance.now() - s.startedMs) / 1000),
    })),
  addResult: (result) => set((s) => ({ results: [...s.results, result] })),
  finish: ({ summary, error, note }) =>
    set({
      running: false,
      cancelling: false,
      progress: null,
      secondsLeft: null,
      summary: summary ?? null,
      error: error ?? null,
      note: note ?? null,
    }),
  setCancelling: () => set({ cancelling: true }),
}));
