// State of the guidance trade-off panel, outside the view so a run and its results survive tab
// switches: the settings, the run in progress and each scale's result as it arrives.
import { create } from 'zustand';
import type {
  EvaluationProgress,
  EvaluationSummary,
  JudgeSummary,
  ScaleResult,
} from '../worker/api';
import {
  DEFAULT_CLASSIFIER_SCALES_TEXT,
  DEFAULT_SCALES_TEXT,
  secondsLeft,
} from './evaluationFormat';

/** The curves a run can draw: one method, or both side by side from the same noise. */
export type EvaluatedMethod = 'classifier-free' | 'classifier';

export interface EvaluationSettings {
  /** Class-balanced: a multiple of 10 gives every digit the same count. */
  samplesPerScale: number;
  steps: number;
  seed: number;
  /** As typed; parsed with parseScales when the run starts. */
  scalesText: string;
  /**
   * What the scales are: classifier-free s, classifier guidance's s (the model's null class), or
   * both side by side in one run (scalesText classifier-free, classifierScalesText classifier).
   */
  guidanceMethod: EvaluatedMethod | 'both';
  /** As typed: the classifier scales of a side-by-side run. */
  classifierScalesText: string;
}

/** Small enough to finish in a lesson on a laptop's CPU: 5 digits per class, 6 scales. */
export const DEFAULT_EVALUATION: EvaluationSettings = {
  samplesPerScale: 50,
  steps: 50,
  seed: 0,
  scalesText: DEFAULT_SCALES_TEXT,
  guidanceMethod: 'classifier-free',
  classifierScalesText: DEFAULT_CLASSIFIER_SCALES_TEXT,
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
  resultsMethod: EvaluatedMethod;
  /**
   * The other method's curve, drawn beside `results`: this run's classifier curve when it runs
   * both side by side, else the last finished curve of the other method (same model).
   */
  comparison: { method: EvaluatedMethod; results: ScaleResult[]; sameRun: boolean } | null;
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
  /** A result of `method` (default: the run's first method) lands on its curve. */
  addResult(result: ScaleResult, method?: EvaluatedMethod): void;
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
    const chosen = s.settings.guidanceMethod;
    const method: EvaluatedMethod = chosen === 'both' ? 'classifier-free' : chosen;
    const sameModel = s.modelLabel === modelLabel;
    const comparison =
      chosen === 'both'
        ? { method: 'classifier' as const, results: [], sameRun: true }
        : !sameModel
          ? null
          : s.resultsMethod !== method && s.results.length > 0
            ? { method: s.resultsMethod, results: s.results, sameRun: false }
            : s.comparison?.method === method
              ? null
              : s.comparison && { ...s.comparison, sameRun: false };
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
  addResult: (result, method) =>
    set((s) =>
      method === undefined || method === s.resultsMethod || !s.comparison
        ? { results: [...s.results, result] }
        : { comparison: { ...s.comparison, results: [...s.comparison.results, result] } },
    ),
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
