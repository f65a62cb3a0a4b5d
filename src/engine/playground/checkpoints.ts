// Saving the model in use: while it trains, the EMA weights are saved (they are what sampling
// uses); otherwise its own weights. The manifest records the data set, schedule and step count.
import { encodeCheckpoint, type EncodedCheckpoint } from '../checkpoint';
import { disposeParams } from '../../model';
import type { ModelSlot } from './modelSlot';
import type { TrainingController } from './trainingController';

export async function encodeModelInUse(
  slot: ModelSlot,
  training: TrainingController,
): Promise<EncodedCheckpoint> {
  const info = slot.info;
  if (!info) throw new Error('no model to save: create one or load a checkpoint first');
  const emaParams = training.emaParamsCopy();
  try {
    return await encodeCheckpoint(emaParams ?? slot.model.params, {
      modelConfig: slot.model.config,
      schedule: info.schedule,
      dataset: info.dataset,
      classNames: info.classNames,
      trainingSteps: info.trainingSteps,
      ema: emaParams !== null || info.ema,
    });
  } finally {
    if (emaParams) disposeParams(emaParams);
  }
}
