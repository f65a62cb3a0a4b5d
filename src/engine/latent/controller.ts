// The "Latent diffusion" view's engine side (Rombach et al. 2022): holds one latent model (the
// pretrained models/mnist-latent or one trained in the browser) and answers the view:
//   trajectory   sample latents with any sampler and guidance, decode x_t and x̂₀ of every step
//   walk         z(α) = (1 − α)·E(x_A) + α·E(x_B), decoded: the latent space between two digits
//   reconstruct  x → z₀ = E(x)·scale → z_t = √ᾱ_t z₀ + √(1−ᾱ_t) ε → DDIM down to 0 → D(ẑ₀/scale)
//   cost         FLOPs per step (src/model/flops.ts) and measured ms, latent against the pixel model
// Each answer is read back with await data() once, after the work; no tensor outlives a call.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { toFloatImage } from '../../data/dataset';
import { scaleLatents, unscaleLatents } from '../../diffusion/latentScaling';
import { ddimStep } from '../../diffusion/samplers';
import { autoencoderFlops, latentShape } from '../../model/autoencoder';
import type { UNetConfig } from '../../model/config';
import { flopsPerImage } from '../../model/flops';
import type { UNet } from '../../model/unet';
import { deriveSeed, STREAM } from '../../random/seeded';
import { predictEps, predictionTensors } from '../sampling/eps';
import type { SamplerKind } from '../sampling/options';
import { SamplingSession } from '../sampling/session';
import {
  decodeLatentModel,
  disposeLatentModel,
  type LatentModel,
  type RawLatentFiles,
} from './latentModel';

export interface LatentModelInfo {
  source: 'pretrained' | 'browser';
  latentShape: [number, number, number];
  imageShape: [number, number, number];
  scaleFactor: number;
  autoencoderParams: number;
  unetParams: number;
  unetConfig: UNetConfig;
  trainingSteps: number;
  autoencoderSteps: number | null;
  testMse: number | null;
  klWeight: number;
  T: number;
  classNames: string[];
}

export interface LatentTrajectoryRequest {
  n: number;
  classLabel: number | null;
  guidance: number;
  sampler: SamplerKind;
  steps: number;
  eta: number;
  seed: number;
}

export interface LatentStepFrame {
  /** Model timestep of the step (0-based). */
  t: number;
  /** The scaled latent z_t the U-Net saw, [n, h, w, c]. */
  zt: Float32Array;
  /** Its predicted ẑ₀ (scaled), [n, h, w, c]. */
  z0: Float32Array;
  /** D(z_t / scale) and D(ẑ₀ / scale), [n, H, W, C] in [-1, 1]. */
  xt: Float32Array;
  x0: Float32Array;
}

export interface LatentTrajectory {
  n: number;
  frames: LatentStepFrame[];
  /** Final latent ẑ₀ and its decoding. */
  finalLatent: Float32Array;
  final: Float32Array;
  /** Wall ms of the sampling (all steps, network and update) and of one decoding of n images. */
  samplingMs: number;
  decodeMs: number;
  nfe: number;
}

export interface LatentWalkRequest {
  indexA: number;
  indexB: number;
  /** 0 = the latent of image A, 1 = image B. */
  alpha: number;
}

export interface LatentWalkResult {
  /** The scaled latent z(α)·scale, [1, h, w, c], and its decoding [1, H, W, C]. */
  latent: Float32Array;
  image: Float32Array;
  /** The two source images. */
  imageA: Float32Array;
  imageB: Float32Array;
}

export interface ReconstructRequest {
  index: number;
  /** Noise level to jump to, 0..T−1. */
  t: number;
  /** DDIM steps from t down to 0 (at most t + 1). */
  steps: number;
  seed: number;
  classLabel: number | null;
  guidance: number;
}

export interface ReconstructResult {
  t: number;
  alphaBar: number;
  steps: number;
  /** x, D(z₀/scale) (the autoencoder alone), D(z_t/scale), and the denoised D(ẑ₀/scale). */
  x: Float32Array;
  autoencoded: Float32Array;
  noisy: Float32Array;
  denoised: Float32Array;
  /** Scaled latents z₀, z_t and ẑ₀ [1, h, w, c]. */
  z0: Float32Array;
  zt: Float32Array;
  z0Hat: Float32Array;
  /** Per-pixel MSE against x of the autoencoded and of the denoised image. */
  mseAutoencoded: number;
  mseDenoised: number;
}

export interface CostRow {
  /** Forward FLOPs of one network evaluation per image (multiply-add = 2). */
  flopsPerStep: number;
  /** Measured ms of one guided evaluation (batch 2n: conditional and unconditional) of n images. */
  msPerStep: number;
  params: number;
  grid: string;
}

export interface LatentCost {
  n: number;
  latent: CostRow;
  pixel: CostRow | null;
  /** The decoder's FLOPs per image, paid once per sample, not per step. */
  decoderFlops: number;
  decodeMs: number;
}

/** Times fn() (after one warm-up) over `reps` runs, reading back each result. */
async function timeMs(fn: () => tf.Tensor, reps = 2): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const start = performance.now();
  for (let i = 0; i < reps; i++) {
    const out = fn();
    await out.data();
    out.dispose();
  }
  return (performance.now() - start) / reps;
}

export class LatentController {
  private model: LatentModel | null = null;
  private source: LatentModelInfo['source'] = 'pretrained';

  get loaded(): boolean {
    return this.model !== null;
  }

  /** Validates the files completely, then replaces the model in use; on error keeps the old. */
  async load(raw: RawLatentFiles, source: LatentModelInfo['source']): Promise<LatentModelInfo> {
    const next = await decodeLatentModel(raw);
    this.replace(next, source);
    return this.info();
  }

  /** Takes ownership of an in-memory model (trained in the browser). */
  replace(next: LatentModel, source: LatentModelInfo['source']): void {
    if (this.model) disposeLatentModel(this.model);
    this.model = next;
    this.source = source;
  }

  private require(): LatentModel {
    if (!this.model) throw new Error('no latent model loaded yet');
    return this.model;
  }

  info(): LatentModelInfo {
    const m = this.require();
    const ae = m.autoencoder.config;
    return {
      source: this.source,
      latentShape: latentShape(ae),
      imageShape: [ae.imageSize, ae.imageSize, ae.inChannels],
      scaleFactor: m.scaleFactor,
      autoencoderParams: m.autoencoder.numParams,
      unetParams: m.unet.numParams,
      unetConfig: m.unet.config,
      trainingSteps: m.unetManifest.trainingSteps,
      autoencoderSteps: m.autoencoderManifest.training?.steps ?? null,
      testMse: m.autoencoderManifest.testMse ?? null,
      klWeight: m.autoencoderManifest.klWeight,
      T: m.schedule.T,
      classNames: [...m.unetManifest.classNames],
    };
  }

  private async decode(z: Float32Array, n: number): Promise<Float32Array> {
    const m = this.require();
    const shape = latentShape(m.autoencoder.config);
    const x = tf.tidy(() =>
      tf.clipByValue(
        m.autoencoder.decode(tf.tensor4d(unscaleLatents(z, m.scaleFactor), [n, ...shape])),
        -1,
        1,
      ),
    );
    try {
      return (await x.data()) as Float32Array;
    } finally {
      x.dispose();
    }
  }

  /** Samples n latents, recording every step, and decodes each step's z_t and ẑ₀. */
  async trajectory(req: LatentTrajectoryRequest): Promise<LatentTrajectory> {
    const m = this.require();
    const { numClasses } = m.unet.config;
    if (req.classLabel !== null && !(req.classLabel >= 0 && req.classLabel < numClasses)) {
      throw new RangeError(`class must be in [0, ${numClasses - 1}] (got ${req.classLabel})`);
    }
    const session = new SamplingSession(m.unet, m.schedule, {
      n: req.n,
      sampler: req.sampler,
      steps: req.steps,
      eta: req.sampler === 'ddim' ? req.eta : undefined,
      classes: req.classLabel === null ? null : new Array<number>(req.n).fill(req.classLabel),
      guidanceScale: req.classLabel === null ? 1 : req.guidance,
      seed: req.seed,
      // Scaled latents have unit variance and exceed 1: no [-1, 1] clipping (that is for pixels).
      clipX0: false,
      recordTrajectory: true,
    });
    try {
      const start = performance.now();
      const snap = await session.run();
      const samplingMs = performance.now() - start;
      const traj = session.trajectory();
      const frames: LatentStepFrame[] = [];
      for (const f of traj.frames) {
        frames.push({
          t: f.t,
          zt: f.xt,
          z0: f.x0Pred,
          xt: await this.decode(f.xt, req.n),
          x0: await this.decode(f.x0Pred, req.n),
        });
      }
      const d0 = performance.now();
      const final = await this.decode(snap.x, req.n);
      return {
        n: req.n,
        frames,
        finalLatent: snap.x,
        final,
        samplingMs,
        decodeMs: performance.now() - d0,
        nfe: snap.totalNfe,
      };
    } finally {
      session.dispose();
    }
  }

  private async encodeImage(
    ds: Dataset,
    index: number,
  ): Promise<{ x: Float32Array; z: Float32Array }> {
    const m = this.require();
    if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
      throw new RangeError(`image index must be in [0, ${ds.count - 1}] (got ${index})`);
    }
    const x = toFloatImage(ds, index);
    const { imageSize: s, inChannels: c } = m.autoencoder.config;
    const mean = tf.tidy(() => m.autoencoder.encode(tf.tensor4d(x, [1, s, s, c])).mean);
    try {
      return { x, z: scaleLatents((await mean.data()) as Float32Array, m.scaleFactor) };
    } finally {
      mean.dispose();
    }
  }

  /** The decoded image at z(α) = (1 − α)·z_A + α·z_B (scaled latents of two test images). */
  async walk(ds: Dataset, req: LatentWalkRequest): Promise<LatentWalkResult> {
    if (!(req.alpha >= 0 && req.alpha <= 1)) {
      throw new RangeError(`alpha must be in [0, 1] (got ${req.alpha})`);
    }
    const a = await this.encodeImage(ds, req.indexA);
    const b = await this.encodeImage(ds, req.indexB);
    const latent = a.z.map((v, i) => (1 - req.alpha) * v + req.alpha * b.z[i]);
    return { latent, image: await this.decode(latent, 1), imageA: a.x, imageB: b.x };
  }

  /** Encoder → noise to t → DDIM from t to 0 → decoder, for one test image. */
  async reconstruct(ds: Dataset, req: ReconstructRequest): Promise<ReconstructResult> {
    const m = this.require();
    const { T, alphaBars } = m.schedule;
    if (!Number.isInteger(req.t) || req.t < 0 || req.t >= T) {
      throw new RangeError(`t must be an integer in [0, ${T - 1}] (got ${req.t})`);
    }
    if (!Number.isInteger(req.steps) || req.steps < 1) {
      throw new RangeError(`steps must be an integer >= 1 (got ${req.steps})`);
    }
    const { x, z } = await this.encodeImage(ds, req.index);
    const shape = [1, ...latentShape(m.autoencoder.config)] as [number, number, number, number];
    const k = Math.min(req.steps, req.t + 1);
    // round(linspace(t, 0, k)), the sampling view's spacing, so the first step is at t itself.
    const ts = Array.from({ length: k }, (_, i) =>
      k === 1 ? req.t : Math.round(req.t - (i * req.t) / (k - 1)),
    ).filter((v, i, all) => i === 0 || v !== all[i - 1]);
    const classes = req.classLabel === null ? null : Int32Array.of(req.classLabel);
    const guidance = req.classLabel === null ? 1 : req.guidance;
    const z0 = tf.tensor4d(z, shape);
    const eps = tf.randomNormal(
      shape,
      0,
      1,
      'float32',
      deriveSeed(req.seed, STREAM.forward),
    ) as tf.Tensor4D;
    // z_t = √ᾱ_t z₀ + √(1 − ᾱ_t) ε (Ho et al. 2020, eq. 4) on the scaled latent.
    const ab = alphaBars[req.t];
    let zt = tf.tidy(() =>
      tf.add(tf.mul(z0, Math.sqrt(ab)), tf.mul(eps, Math.sqrt(1 - ab))),
    ) as tf.Tensor4D;
    const ztStart = (await zt.data()) as Float32Array;
    let z0Hat: tf.Tensor4D | null = null;
    try {
      for (const [i, t] of ts.entries()) {
        const prev = i + 1 < ts.length ? alphaBars[ts[i + 1]] : 1;
        const pred = predictEps(m.unet, zt, t, classes, guidance);
        const step = ddimStep({
          xt: zt,
          eps: pred.eps,
          alphaBar: alphaBars[t],
          alphaBarPrev: prev,
          eta: 0,
        });
        tf.dispose([...new Set(predictionTensors(pred))]);
        step.epsUsed.dispose();
        z0Hat?.dispose();
        z0Hat = step.x0Pred;
        zt.dispose();
        zt = step.xPrev;
      }
      const zHat = (await (z0Hat ?? zt).data()) as Float32Array;
      const [autoencoded, noisy, denoised] = [
        await this.decode(z, 1),
        await this.decode(ztStart, 1),
        await this.decode(zHat, 1),
      ];
      const mse = (y: Float32Array) => y.reduce((s, v, i) => s + (v - x[i]) ** 2, 0) / x.length;
      return {
        t: req.t,
        alphaBar: ab,
        steps: ts.length,
        x,
        autoencoded,
        noisy,
        denoised,
        z0: z,
        zt: ztStart,
        z0Hat: zHat,
        mseAutoencoded: mse(autoencoded),
        mseDenoised: mse(denoised),
      };
    } finally {
      tf.dispose([z0, eps, zt]);
      z0Hat?.dispose();
    }
  }

  /** FLOPs and measured ms per guided step, latent U-Net against `pixel` (when given). */
  async cost(n: number, pixel: UNet | null): Promise<LatentCost> {
    const m = this.require();
    const guided = (net: Pick<UNet, 'config' | 'apply'>) => {
      const { imageSize: s, inChannels: c, numClasses } = net.config;
      return () =>
        tf.tidy(() => {
          const x = tf.randomNormal([2 * n, s, s, c], 0, 1, 'float32', 1) as tf.Tensor4D;
          const t = tf.fill([2 * n], 500, 'int32') as tf.Tensor1D;
          const y = tf.tensor1d(
            Array.from({ length: 2 * n }, (_, i) => (i < n ? 3 : numClasses)),
            'int32',
          );
          return net.apply(x, t, y, { training: false });
        });
    };
    const row = (net: UNet, ms: number): CostRow => ({
      flopsPerStep: flopsPerImage(net.config),
      msPerStep: ms,
      params: net.numParams,
      grid: `${net.config.imageSize}×${net.config.imageSize}×${net.config.inChannels}`,
    });
    const latentMs = await timeMs(guided(m.unet));
    const pixelRow = pixel ? row(pixel, await timeMs(guided(pixel))) : null;
    const shape = latentShape(m.autoencoder.config);
    const decodeMs = await timeMs(() =>
      m.autoencoder.decode(tf.zeros([n, ...shape]) as tf.Tensor4D),
    );
    return {
      n,
      latent: row(m.unet, latentMs),
      pixel: pixelRow,
      decoderFlops: autoencoderFlops(m.autoencoder.config).decoder,
      decodeMs,
    };
  }

  dispose(): void {
    if (this.model) disposeLatentModel(this.model);
    this.model = null;
  }
}
