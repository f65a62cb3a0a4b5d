// Measures the learned Σ_θ profile of the model in use in the worker (learnedSigmaProfile).
import type { ModelInfo } from '../worker/api';
import { describeError } from './errors';
import { useSigmaProfile } from './sigmaProfileStore';
import { useTraining } from './trainingStore';
import { getWorker } from './workerClient';

/** Which model a profile belongs to. */
export const sigmaModelKey = (m: ModelInfo): string => `${m.label}|${m.trainingSteps}|${m.origin}`;

/** Four test images, about 30 timesteps: ~120 network passes. */
export const SIGMA_PROFILE_REQUEST = { images: 4, timesteps: 30, seed: 0 };

export async function measureSigmaProfile(): Promise<void> {
  const model = useTraining.getState().model;
  if (!model?.learnSigma) return;
  const store = useSigmaProfile.getState();
  const modelKey = sigmaModelKey(model);
  if (store.busy && store.modelKey === modelKey) return;
  store.begin(modelKey);
  try {
    const profile = await getWorker().learnedSigmaProfile(SIGMA_PROFILE_REQUEST);
    useSigmaProfile.getState().finish({ modelKey, profile });
  } catch (e) {
    useSigmaProfile
      .getState()
      .finish({ modelKey, error: `Σ_θ could not be measured: ${describeError(e)}` });
  }
}
