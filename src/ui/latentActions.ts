// What the Latent diffusion view's buttons and sliders do: calls to the worker's latent API,
// results and errors into the store. A failed call leaves the model and results in use as they
// were and says why.
import * as Comlink from 'comlink';
import type { LatentTrainingEvent } from '../worker/latentApiTypes';
import { describeError } from './errors';
import { useLatent } from './latentStore';
import { getWorker, latestOnly } from './workerClient';

const fail = (what: string) => (e: unknown) =>
  useLatent.getState().set({ error: `${what}: ${describeError(e)}` });

export async function loadLatentModel(): Promise<void> {
  const s = useLatent.getState();
  if (s.loading) return;
  s.set({ loading: true, error: null });
  try {
    s.set({ info: await getWorker().latentLoadPretrained() });
  } catch (e) {
    fail('The pretrained latent model could not be loaded')(e);
  } finally {
    useLatent.getState().set({ loading: false });
  }
}

export async function sampleLatent(): Promise<void> {
  const s = useLatent.getState();
  if (s.sampling || !s.info) return;
  const settings = s.settings;
  s.set({ sampling: true, error: null, playing: false });
  try {
    const trajectory = await getWorker().latentTrajectory({
      n: 4,
      classLabel: settings.classIndex,
      guidance: settings.guidance,
      sampler: 'ddim',
      steps: settings.steps,
      eta: 0,
      seed: settings.seed,
    });
    useLatent.getState().set({ trajectory, trajectoryOf: settings });
    useLatent.getState().setAt(trajectory.frames.length - 1);
  } catch (e) {
    fail('Sampling failed')(e);
  } finally {
    useLatent.getState().set({ sampling: false });
  }
}

const walkLatest = latestOnly(
  (req: { indexA: number; indexB: number; alpha: number }) => getWorker().latentWalk(req),
  (walk) => useLatent.getState().set({ walk }),
  fail('The latent walk failed'),
);

export function walkLatent(): void {
  const { settings, info } = useLatent.getState();
  if (!info) return;
  walkLatest({ indexA: settings.imageA, indexB: settings.imageB, alpha: settings.alpha });
}

export async function reconstructLatent(): Promise<void> {
  const s = useLatent.getState();
  if (s.reconstructing || !s.info) return;
  const { image, t, seed, classIndex, guidance } = s.settings;
  s.set({ reconstructing: true, error: null });
  try {
    const reconstruction = await getWorker().latentReconstruct({
      index: image,
      t: Math.min(t, s.info.T - 1),
      steps: 20,
      seed,
      classLabel: classIndex,
      guidance,
    });
    useLatent.getState().set({ reconstruction });
  } catch (e) {
    fail('Reconstruction failed')(e);
  } finally {
    useLatent.getState().set({ reconstructing: false });
  }
}

export async function measureLatentCost(): Promise<void> {
  const s = useLatent.getState();
  if (s.measuring || !s.info) return;
  s.set({ measuring: true, error: null });
  try {
    useLatent.getState().set({ cost: await getWorker().latentCost(4) });
  } catch (e) {
    fail('Measuring the cost failed')(e);
  } finally {
    useLatent.getState().set({ measuring: false });
  }
}

/** Trains a tiny autoencoder, then a tiny latent U-Net, in the worker; puts them in use. */
export async function trainLatentInBrowser(sizes: {
  autoencoderSteps: number;
  unetSteps: number;
  images: number;
}): Promise<void> {
  const s = useLatent.getState();
  if (s.training) return;
  s.set({ training: { autoencoder: null, encode: null, unet: null }, error: null });
  const listener = Comlink.proxy((e: LatentTrainingEvent) => useLatent.getState().progress(e));
  try {
    const info = await getWorker().latentTrain(sizes, listener);
    useLatent
      .getState()
      .set({ info, trajectory: null, walk: null, reconstruction: null, cost: null });
  } catch (e) {
    fail('Training failed')(e);
  } finally {
    useLatent.getState().set({ training: null });
  }
}

export function stopLatentTraining(): void {
  void getWorker().latentStopTraining();
}
