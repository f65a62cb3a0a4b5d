// Compare and Cancel of the samplers side by side: the request is the Reverse sampling view's
// class, seed, guidance, clipping and image count, with each side's sampler and steps.
import * as Comlink from 'comlink';
import type { ComparisonProgress, ComparisonRequest, ModelInfo } from '../worker/api';
import { getWorker } from './workerClient';
import { useComparison, stepsOf, type SideSettings } from './comparisonStore';
import { useSampling, type SamplingSettings } from './samplingStore';
import { useTraining } from './trainingStore';
import { describeError } from './errors';
import { SAMPLER_CHOICES } from './samplerChoices';

/** The worker's request for these sides and the view's shared settings. */
export function comparisonRequest(
  sides: readonly SideSettings[],
  s: SamplingSettings,
  model: Pick<ModelInfo, 'numClasses'> & { T: number },
): ComparisonRequest {
  const conditional = model.numClasses > 0 && s.classIndex >= 0;
  return {
    n: s.n,
    classes: conditional ? new Array<number>(s.n).fill(s.classIndex) : null,
    seed: s.seed,
    guidanceScale: s.guidanceScale,
    clipX0: s.clipX0,
    sides: sides.map((side) => {
      const choice = SAMPLER_CHOICES[side.sampler];
      return {
        sampler: side.sampler,
        steps: choice.chooseSteps ? stepsOf(side, model.T) : undefined,
        eta: choice.eta ? side.eta : undefined,
        variance: choice.variance ? side.variance : undefined,
      };
    }),
  };
}

export async function runComparison(): Promise<void> {
  const store = useComparison.getState();
  if (store.running) return;
  const model = useTraining.getState().model;
  if (!model) {
    store.finish({ error: 'No model yet: load a pretrained model or train one first.' });
    return;
  }
  const settings = useSampling.getState().settings;
  const sides = [...store.sides];
  const req = comparisonRequest(sides, settings, {
    numClasses: model.numClasses,
    T: model.schedule.T,
  });
  const run = store.begin();
  const current = () => useComparison.getState().run === run;
  const onProgress = Comlink.proxy((p: ComparisonProgress) => {
    if (current()) useComparison.getState().setProgress(p);
  });
  const cls =
    req.classes === null
      ? 'unconditional'
      : `class ${model.classNames[settings.classIndex] ?? settings.classIndex}`;
  try {
    const result = await getWorker().compareSamplers(req, onProgress);
    if (!current()) return;
    useComparison.getState().finish({
      result: {
        ...result,
        settings: sides,
        caption: `${cls}, s = ${settings.guidanceScale}, seed ${settings.seed}, ${settings.n} images, x̂₀ ${settings.clipX0 ? 'clipped' : 'not clipped'}`,
      },
    });
  } catch (e) {
    if (!current()) return;
    const cancelled = e instanceof Error && e.name === 'ComparisonCancelled';
    useComparison.getState().finish({
      error: cancelled
        ? `Stopped: ${describeError(e)}.`
        : `The comparison failed: ${describeError(e)}`,
    });
  }
}

export function cancelComparison(): void {
  if (useComparison.getState().running) void getWorker().cancelComparison();
}
