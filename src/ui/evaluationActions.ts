// Run and Cancel of the guidance trade-off panel. The worker streams the judge, every denoising
// step and each scale's result; they land in the evaluation store only while their run is the
// latest one (a cancelled run's last messages may arrive after it has ended).
import * as Comlink from 'comlink';
import type { EvaluationEvent, ModelInfo } from '../worker/api';
import { getWorker } from './workerClient';
import { useEvaluation } from './evaluationStore';
import { MAX_CLASSIFIER_SCALE_EVAL, MAX_SCALE, parseScales } from './evaluationFormat';
import { useTraining } from './trainingStore';
import { describeError } from './errors';

/** Why the panel cannot judge this model, or null when it can. */
export function cannotJudge(model: ModelInfo | null): string | null {
  // Every data set has its judge (models/mnist-classifier, models/cifar10-classifier).
  if (!model) return 'No model yet: load the pretrained MNIST model first.';
  if (model.numClasses === 0) {
    return 'This model is unconditional: guidance needs a class-conditional model.';
  }
  return null;
}

function describeModel(model: ModelInfo): string {
  return `${model.label}, ${model.trainingSteps} training steps`;
}

export async function runEvaluation(): Promise<void> {
  const store = useEvaluation.getState();
  if (store.running) return;
  const model = useTraining.getState().model;
  const why = cannotJudge(model);
  const { samplesPerScale, steps, seed, guidanceMethod } = store.settings;
  const parsed = parseScales(
    store.settings.scalesText,
    guidanceMethod === 'classifier' ? MAX_CLASSIFIER_SCALE_EVAL : MAX_SCALE,
  );
  const classifierScales =
    guidanceMethod === 'both'
      ? parseScales(store.settings.classifierScalesText, MAX_CLASSIFIER_SCALE_EVAL)
      : null;
  const error = why ?? parsed.error ?? classifierScales?.error ?? null;
  if (error !== null || !model) {
    store.finish({ error: error ?? undefined });
    return;
  }
  const run = store.begin(describeModel(model));
  const current = () => useEvaluation.getState().run === run;
  const listener = Comlink.proxy((e: EvaluationEvent) => {
    if (!current()) return;
    const s = useEvaluation.getState();
    // A scale's result travels on this listener's port and the summary on the worker's: the
    // summary may land first, so results are kept even after finish().
    if (e.type === 'scale') {
      s.addResult(e.result, e.method);
      return;
    }
    if (!s.running) return;
    if (e.type === 'judge') s.setJudge(e.judge);
    else s.setProgress(e.progress);
  });
  try {
    const summary = await getWorker().startEvaluation(
      {
        scales: parsed.scales ?? [],
        samplesPerScale,
        steps,
        seed,
        guidanceMethod,
        ...(classifierScales?.scales ? { classifierScales: classifierScales.scales } : {}),
      },
      listener,
    );
    if (current()) useEvaluation.getState().finish({ summary });
  } catch (e) {
    if (!current()) return;
    // Comlink keeps an error's name across the worker boundary.
    const cancelled = e instanceof Error && e.name === 'EvaluationCancelled';
    const message = describeError(e);
    useEvaluation
      .getState()
      .finish(
        cancelled
          ? { note: `Stopped early (${message}); the scales finished before are shown.` }
          : { error: `The evaluation failed: ${message}` },
      );
  }
}

export function cancelEvaluation(): void {
  if (!useEvaluation.getState().running) return;
  useEvaluation.getState().setCancelling();
  void getWorker().cancelEvaluation();
}
