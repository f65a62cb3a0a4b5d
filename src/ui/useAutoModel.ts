// What the Sampling view does by itself: load the data set's pretrained model when it needs one
// (see pretrainedToLoad), and sample a first grid from a pretrained model so the class sees digits
// without pressing anything. The first grid uses the settings shown (by default 16 images, DDIM
// 50 steps, class 3, s = 3), so a link's settings, up to the trajectory step, replay exactly.
import { useEffect } from 'react';
import type { ModelInfo } from '../worker/api';
import { usePlayground } from './store';
import { useTraining } from './trainingStore';
import { useSampling } from './samplingStore';
import { usePretrained } from './pretrainedStore';
import { pretrainedToLoad, shouldSampleFirstGrid } from './pretrainedModels';
import { loadPretrained } from './modelActions';
import { sampleToEnd } from './samplingActions';
import { mark } from './timings';
import { measuredGflops } from './trainingDefaults';

/** The model the first grid was last sampled for (one automatic grid per model loaded). */
let sampledFor: ModelInfo | null = null;

export function useAutoModel(): void {
  const view = usePlayground((s) => s.view);
  const dataset = usePlayground((s) => s.dataset);
  const model = useTraining((s) => s.model);
  const loading = usePretrained((s) => s.loading);
  const failed = usePretrained((s) => s.failed);
  const hasFrames = useSampling((s) => s.frames.length > 0);
  const busy = useSampling((s) => s.busy);

  useEffect(() => {
    // The live store, not this render's values: StrictMode runs effects twice in development,
    // and the second run must see the load the first one began.
    const live = usePretrained.getState();
    const now = { view, dataset, model, loading: live.loading, failed: live.failed };
    const toLoad = pretrainedToLoad(now);
    if (toLoad) void loadPretrained(toLoad, { auto: true, ifNoModel: model === null });
  }, [view, dataset, model, loading, failed]);

  useEffect(() => {
    const now = { view, dataset, model, hasFrames, busy, alreadyFor: sampledFor };
    if (!shouldSampleFirstGrid(now)) return;
    sampledFor = model;
    const { settings, pendingStep } = useSampling.getState();
    const { classIndex, guidanceScale, n, sampler, steps, eta, seed } = settings;
    const what =
      classIndex >= 0 ? `class ${model?.classNames[classIndex] ?? classIndex}` : 'unconditional';
    const how =
      sampler === 'ddim'
        ? `DDIM ${steps} steps, η = ${eta}`
        : sampler === 'ddpm'
          ? model && steps < model.schedule.T
            ? `DDPM respaced to ${steps} of ${model.schedule.T} steps`
            : 'DDPM, all T steps'
          : `${sampler} over ${steps} levels`;
    const until = pendingStep !== null ? `, stopped at step ${pendingStep} as the link says` : '';
    const note =
      `First grid, sampled by itself with the settings above: ${n} images, ${how}, ${what}, ` +
      `s = ${guidanceScale}, seed ${seed}${until}.`;
    useSampling.getState().setPendingStep(null);
    let started = 0;
    const onStart = () => {
      mark('samplingStart');
      started = performance.now();
    };
    void sampleToEnd({ note, stopAt: pendingStep, onStart }).then(() => {
      const frames = useSampling.getState().frames;
      const last = frames[frames.length - 1];
      if (!last || !model || last.stepsDone === 0) return;
      if (last.done) mark('samplingDone');
      // The first grid doubles as a speed test: n images, one pass each (two when guided) per
      // network evaluation. Training defaults are picked from it (trainingDefaults.ts).
      const passes = n * last.nfeDone * (last.guided ? 2 : 1);
      const ms = performance.now() - started;
      useTraining.getState().setMeasuredGflops(measuredGflops(passes, model.flopsPerImage, ms));
    });
  }, [view, dataset, model, hasFrames, busy]);
}
