// Whether a noise-aware classifier can guide a diffusion model: same data set and image shape,
// the same classes, and x_t noised by the same schedule (its p(y | x_t, t) has only seen those
// noise levels at those t).
import type { NoisyClassifierManifest } from './types';

export interface GuidedModelInfo {
  dataset: string;
  imageSize: number;
  inChannels: number;
  /** 0 for an unconditional model (any class count then). */
  numClasses: number;
  schedule: { kind: string; T: number; scaled?: boolean };
}

/** Why the classifier cannot guide the model, or null when it can. */
export function classifierMismatch(
  m: Pick<NoisyClassifierManifest, 'noisyClassifierConfig' | 'dataset' | 'schedule'>,
  model: GuidedModelInfo,
): string | null {
  const c = m.noisyClassifierConfig;
  if (m.dataset !== model.dataset) {
    return `the classifier was trained on ${m.dataset}, the model on ${model.dataset}`;
  }
  if (c.imageSize !== model.imageSize || c.inChannels !== model.inChannels) {
    return (
      `the classifier takes ${c.imageSize}x${c.imageSize}x${c.inChannels} images, the model makes ` +
      `${model.imageSize}x${model.imageSize}x${model.inChannels}`
    );
  }
  if (model.numClasses > 0 && c.numClasses !== model.numClasses) {
    return `the classifier has ${c.numClasses} classes, the model ${model.numClasses}`;
  }
  const s = m.schedule;
  const same =
    s.kind === model.schedule.kind &&
    s.T === model.schedule.T &&
    s.scaled === (model.schedule.scaled ?? false);
  return same
    ? null
    : `the classifier was trained on x_t of a ${s.kind} schedule with T=${s.T}, the model uses ` +
        `${model.schedule.kind} with T=${model.schedule.T}: its p(y | x_t, t) would see other noise levels`;
}
