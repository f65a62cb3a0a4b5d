// The typed contract between the UI (main thread) and the compute worker.
// Only types live here, so the UI can import this file without pulling in tfjs.
import type { ScheduleKind } from '../diffusion/schedule';
import type { BenchRow } from '../engine/bench/trainStep';
import type { LatentApi } from './latentApiTypes';
import type { LikelihoodEvent, LikelihoodRequest } from '../engine/playground/likelihoodController';
import type { SigmaProfileRequest } from '../engine/playground/sigmaProfileRun';
import type { SigmaProfile } from '../engine/likelihood/sigmaProfile';
import type { ClassifierGradientParity } from '../engine/classifierGuideParity';
import type {
  AdapterDescription,
  BackendMeasurement,
  RememberedDecision,
} from '../engine/backends/choose';
import type {
  SamplerName as Score2dSamplerName,
  SamplerSettings as Score2dSamplerSettings,
  SdeKind,
} from '../diffusion/score2d';
import type {
  DataInfo as Score2dDataInfo,
  FieldRequest as Score2dFieldRequest,
  FieldResult as Score2dField,
  RunFrame as Score2dFrame,
  RunRequest as Score2dRunRequest,
  Score2dData,
  SweepPoint as Score2dSweepPoint,
} from '../engine/playground/score2dController';
import type { ModelDensityResult as Score2dModelDensity } from '../engine/playground/score2dDensity';
import type { LearnedFieldResult as Score2dLearnedField } from '../engine/playground/score2dLearned';
import type { TrainingConfig, TrainingEvent } from '../engine/playground/trainingController';
import type {
  SamplingRequest,
  SamplingFrame,
  SamplingProgress,
} from '../engine/playground/samplingController';
import type { NoisyClassifierApi } from './noisyClassifierApiTypes';
import type { TrainingProgress, SessionState as TrainingState } from '../engine/training/session';
import type { PretrainedName } from '../engine/playground/pretrained';
import type {
  ComparisonProgress,
  ComparisonRequest,
  ComparisonResult,
} from '../engine/playground/comparisonController';
import type { NetworkDiagram } from '../model/blocks';
import type {
  EvaluationEvent,
  EvaluationRequest,
  EvaluationSummary,
} from '../engine/playground/evaluationController';
import type { NfeResult } from '../engine/evaluation';
import type {
  SamplerEvaluationEvent,
  SamplerEvaluationRequest,
} from '../engine/playground/samplerEvaluation';

import type { CascadeApi } from './cascadeApiTypes';

export type { AdapterDescription, BackendMeasurement, RememberedDecision };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The backend the worker runs on and why (src/engine/backends/choose.ts). */
export interface BackendInfo {
  backend: BackendName;
  /** Why backends tried before the chosen one failed; absent when the first one tried worked. */
  fallbackReason?: string;
  /** How it was chosen, in words (e.g. "fastest by measurement (wasm 12 ms, webgl 40 ms …)"). */
  reason: string;
  how: 'forced' | 'remembered' | 'measured' | 'only';
  measurements: BackendMeasurement[];
  adapter?: AdapterDescription;
  deviceKey: string;
  /** wasm only: the threads XNNPACK runs with. */
  wasmThreads?: number;
  /** Set by the page: workers that compute parts of each sampling batch (peerWorker.ts). */
  samplingPeers?: number;
  /** wasm only: why it runs on one thread, when it does (e.g. no COOP/COEP headers). */
  wasmThreadsNote?: string;
  /** wasm only: why one thread although more were possible (the other core samples beside it). */
  wasmLayoutNote?: string;
}

export type DatasetName = 'mnist' | 'cifar10';

export interface DatasetInfo {
  name: DatasetName;
  split: 'train' | 'test';
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}

/** An image batch in NHWC layout; pixel values in model space ([-1, 1] for data). */
export interface ImageTensor {
  data: Float32Array;
  shape: [number, number, number, number];
}

/** Where x_0 comes from: a data-set test image, or the picture last uploaded or drawn. */
export type ImageSource = { kind: 'dataset'; index: number } | { kind: 'custom' };

export interface ScheduleRequest {
  kind: ScheduleKind;
  T: number;
  scaled?: boolean;
}

export interface NoiseRequest {
  dataset: DatasetName;
  source: ImageSource;
  t: number;
  schedule: ScheduleRequest;
  seed: number;
  /** 'closed': one jump with q(x_t | x_0); 'chain': t+1 steps of q(x_t | x_{t-1}). */
  mode: 'closed' | 'chain';
}

export interface NoiseResult {
  x0: ImageTensor;
  eps: ImageTensor;
  xt: ImageTensor;
  /** Class name of a data-set image; null for an uploaded or drawn one. */
  label: string | null;
  t: number;
}

export interface FilmstripRequest {
  dataset: DatasetName;
  source: ImageSource;
  T: number;
  frames: number;
  seed: number;
  linearScaled: boolean;
}

export interface FilmstripResult {
  timesteps: number[];
  /** One image per timestep for each schedule, all with the same ε. */
  linear: ImageTensor[];
  cosine: ImageTensor[];
}

/** A picture as the browser decodes it: RGBA bytes, any size. */
export interface RgbaPicture {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export interface ParitySummary {
  backend: string;
  outputRelErr: number;
  gradRelErr: number;
  worstParam: string;
  tolerance: { output: number; grad: number };
  pass: boolean;
  leakedTensors: number;
  ms: number;
}

// ---- The 2-D "Score & SDE" view (closed-form scores: no tfjs needed) -----------------------

export type {
  DataInfo as Score2dDataInfo,
  FieldRequest as Score2dFieldRequest,
  FieldResult as Score2dField,
  NoiseLevel as Score2dNoiseLevel,
  RunFrame as Score2dFrame,
  RunRequest as Score2dRunRequest,
  Score2dData,
  SweepPoint as Score2dSweepPoint,
} from '../engine/playground/score2dController';
export type { ModelDensityResult as Score2dModelDensity } from '../engine/playground/score2dDensity';
export type { LearnedFieldResult as Score2dLearnedField } from '../engine/playground/score2dLearned';

export interface Score2dApi {
  /** The data set's definition, extent, component weights and every sampler's defaults. */
  score2dInfo(data: Score2dData): Promise<{
    info: Score2dDataInfo;
    defaults: Record<Score2dSamplerName, Score2dSamplerSettings>;
  }>;
  /** log p and the exact score ∇ log p of the noised data on grids, at one noise level. */
  score2dField(req: Score2dFieldRequest): Promise<Score2dField>;
  /** Starts a sampling run (the particles at their prior); replaces the previous run. */
  score2dStart(req: Score2dRunRequest): Promise<Score2dFrame>;
  /** Runs k more steps of the run and returns where the particles are. */
  score2dAdvance(k: number): Promise<Score2dFrame>;
  /**
   * Each sampler at 10, 30, 100 and 300 score evaluations: the sliced Wasserstein distance to the
   * data and the component fractions. A newer sweep stops an older one. `onPoint` (a
   * Comlink.proxy) hears of each point.
   */
  score2dSweep(
    req: {
      data: Score2dData;
      settings: Record<Score2dSamplerName, Score2dSamplerSettings>;
      n: number;
      seed: number;
    },
    onPoint?: (p: Score2dSweepPoint) => void,
  ): Promise<Score2dSweepPoint[]>;
  /**
   * Trains the learned score (a new network when the data or objective changed) until `steps`
   * Adam steps are done or score2dPauseTraining is called; `listener` (a Comlink.proxy) hears the
   * step and the loss (mean per coordinate) every few steps.
   */
  score2dTrain(
    req: { data: Score2dData; objective: 'eps' | 'dsm'; steps: number },
    listener: (e: { step: number; loss: number; msPerStep: number }) => void,
  ): Promise<{ step: number; loss: number }>;
  score2dPauseTraining(): Promise<void>;
  /**
   * The learned score on the arrow grid, log10 ‖s_θ − s‖ on the heat-map grid and the relative
   * error near the data and everywhere; null: none yet.
   */
  score2dLearnedField(req: Score2dFieldRequest): Promise<Score2dLearnedField | null>;
  /** Starts a run with the learned score (the network must have trained). */
  score2dStartLearned(req: Score2dRunRequest): Promise<Score2dFrame>;
  /**
   * The model's density from the probability-flow ODE on a grid, beside the data's, and the mean
   * log-likelihood of held-out data points (model and true), with the exact or the learned score.
   */
  score2dModelDensity(req: {
    data: Score2dData;
    sde: SdeKind;
    score: 'exact' | 'learned';
  }): Promise<Score2dModelDensity>;
}

/** What the worker needs to start its backend (see init; also sent early in the worker's name). */
export interface InitOptions {
  preferred?: BackendName;
  /** A decision kept by the page from an earlier load (used if the device is the same). */
  remembered?: RememberedDecision;
  /** `?threads=N`: WebAssembly threads (default every core; one without cross-origin isolation). */
  wasmThreads?: number;
  dataBaseUrl: string;
  modelBaseUrl?: string;
}

export interface PlaygroundWorkerApi extends EngineApi, Score2dApi, LatentApi, CascadeApi {
  /**
   * Picks and initialises a tfjs backend: `preferred` if given (`?backend=`), else the one
   * remembered for this device, else the fastest by a short probe (a software WebGPU adapter is
   * not a candidate). `modelBaseUrl` is the folder of the pretrained models (default: `../models/` beside
   * `dataBaseUrl`).
   */
  init(opts: InitOptions): Promise<BackendInfo>;
  datasetInfo(name: DatasetName): Promise<DatasetInfo>;
  /** x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps for one data-set image (Ho et al. 2020, eq. 4). */
  noise(req: NoiseRequest): Promise<NoiseResult>;
  /** x_t at evenly spaced t for the linear and cosine schedules (Nichol & Dhariwal 2021, Fig. 3). */
  filmstrip(req: FilmstripRequest): Promise<FilmstripResult>;
  /**
   * Resizes an uploaded or drawn picture to the data set's image size and keeps it as the
   * 'custom' source. Returns the prepared x_0. A bad picture is rejected; the previous one stays.
   */
  setCustomImage(dataset: DatasetName, picture: RgbaPicture): Promise<ImageTensor>;
  memory(): Promise<{ numTensors: number; numBytes: number }>;
  /**
   * Checks the U-Net's output and gradients on the active backend against the cpu backend
   * (tiny MNIST and CIFAR-10 models, or the data sets named). Refused while training runs: it
   * switches backends.
   */
  parityCheck(opts?: { datasets?: DatasetName[] }): Promise<ParitySummary>;
  /**
   * Classifier guidance's gradient g = ∇ₓ log p_φ(y | x_t, t) and p_φ on the active backend
   * against cpu, on a tiny noise-aware classifier (engine/classifierGuideParity.ts). Refused
   * while training runs: it switches backends.
   */
  classifierGradientParity(): Promise<ClassifierGradientParity>;
  /**
   * Times a training step and a forward pass of a fresh U-Net preset ('mnist/tiny', …) on the
   * active backend: the same JSON row as `npm run bench` (the browser bench,
   * scripts/bench/browser.ts). Refused while training runs.
   */
  benchTrainStep(req: {
    preset: string;
    batch: number;
    steps: number;
    warmup: number;
    /** Add the per-kernel profile of one forward pass and one step. */
    profile?: boolean;
  }): Promise<BenchRow>;
}

// ---- Models, training, sampling and checkpoints --------------------------------------------

export type PresetName = 'tiny' | 'small' | 'medium' | 'compact';

export interface ModelInfo {
  dataset: DatasetName;
  preset: PresetName | null;
  classNames: string[];
  schedule: ScheduleRequest;
  trainingSteps: number;
  ema: boolean;
  origin: 'new' | 'checkpoint' | 'pretrained';
  label: string;
  /** Which shipped model, when origin is 'pretrained'. */
  pretrained?: PretrainedName;
  numParams: number;
  flopsPerImage: number;
  numClasses: number;
  imageSize: number;
  channels: number;
  /** The model also outputs v for a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15). */
  learnSigma: boolean;
}

export interface CreateModelRequest {
  dataset: DatasetName;
  preset: PresetName;
  /** Also learn the reverse variance Σ_θ, trained on L_hybrid (Nichol & Dhariwal 2021). */
  learnSigma?: boolean;
  seed?: number;
  schedule?: ScheduleRequest;
}

// The engine's own types cross the boundary as they are (type-only: erased from the bundle, so
// the UI still never loads tfjs).
export type { TrainingConfig, TrainingEvent } from '../engine/playground/trainingController';
export type {
  SamplingRequest,
  SamplingFrame,
  SamplingProgress,
} from '../engine/playground/samplingController';
export type { TrainingProgress, SessionState as TrainingState } from '../engine/training/session';
export type {
  EvaluationEvent,
  EvaluationRequest,
  EvaluationSummary,
  JudgeSummary,
} from '../engine/playground/evaluationController';
export type { EvaluationProgress, ScaleResult } from '../engine/evaluation';
export type { NfeResult, NfeSampler } from '../engine/evaluation';
export type {
  SamplerEvaluationEvent,
  SamplerEvaluationRequest,
} from '../engine/playground/samplerEvaluation';
export type { BucketAccuracy } from '../engine/noisyClassifier/types';
export type {
  NoisyClassifierTrainingEvent,
  NoisyClassifierTrainingRequest,
} from '../engine/noisyClassifier/browserTraining';
export type { NoisyClassifierInfo } from './noisyClassifierApiTypes';
export type { GuidanceMethod } from '../engine/sampling/guidanceMethod';
export type { LikelihoodEvent, LikelihoodRequest } from '../engine/playground/likelihoodController';
export type { SigmaProfileRequest } from '../engine/playground/sigmaProfileRun';
export type { SigmaProfile } from '../engine/likelihood/sigmaProfile';
export type {
  ComparisonProgress,
  ComparisonRequest,
  ComparisonResult,
  ComparisonSide,
  ComparisonSideResult,
} from '../engine/playground/comparisonController';
export type { NetworkBlock, NetworkDiagram } from '../model/blocks';
/** The pretrained models shipped in models/. */
export type { PretrainedName } from '../engine/playground/pretrained';

export interface SavedModelInfo {
  name: string;
  savedAt: string;
  dataset: string;
  trainingSteps: number;
  bytes: number;
}

/** Either the single-file pack, or the two files of the tfjs format. */
export type CheckpointUpload =
  | { kind: 'pack'; bytes: ArrayBuffer; fileName: string }
  | { kind: 'files'; modelJson: string; weights: ArrayBuffer; fileName: string };

export interface EngineApi extends NoisyClassifierApi {
  createModel(req: CreateModelRequest): Promise<ModelInfo>;
  modelInfo(): Promise<ModelInfo | null>;

  /** Events arrive through `listener` (a Comlink.proxy) until the next call replaces it. */
  startTraining(config: TrainingConfig, listener: (e: TrainingEvent) => void): Promise<void>;
  pauseTraining(): Promise<void>;
  stepTraining(
    config: TrainingConfig,
    listener: (e: TrainingEvent) => void,
  ): Promise<TrainingProgress>;
  setLearningRate(lr: number): Promise<void>;
  trainingState(): Promise<{ state: TrainingState; step: number }>;

  startSampling(req: SamplingRequest): Promise<SamplingFrame>;
  /**
   * Runs k steps and returns the frame after the last one (one readback for all k); `onProgress`
   * (a Comlink.proxy) hears of each step as it finishes.
   */
  advanceSampling(k: number, onProgress?: (p: SamplingProgress) => void): Promise<SamplingFrame>;
  setGuidanceScale(s: number): Promise<void>;
  /** Classifier guidance's scale s (>= 0), from the next step of the running sampling on. */
  setClassifierScale(s: number): Promise<void>;
  cancelSampling(): Promise<void>;
  /**
   * Connects a second worker (src/worker/peerWorker.ts) over `port`: sampling runs from then on
   * split each step's batch with it (engine/sampling/splitEps.ts). Refused unless the backend is
   * wasm (on a GPU the batch is better in one dispatch). Resolves to false when refused.
   */
  attachSamplingPeer(port: MessagePort): Promise<boolean>;

  /**
   * Samplers side by side (comparisonController.ts): every side runs to the end from the same
   * x_T, classes and guidance, with its own sampler and steps; `onProgress` (a Comlink.proxy)
   * hears of each step. Rejects with an error named 'ComparisonCancelled' when cancelled or when
   * another model is loaded meanwhile. Does not touch the interactive run.
   */
  compareSamplers(
    req: ComparisonRequest,
    onProgress?: (p: ComparisonProgress) => void,
  ): Promise<ComparisonResult>;
  cancelComparison(): Promise<void>;

  /**
   * The U-Net's blocks and their parameter counts (src/model/blocks.ts): of a preset, or of the
   * model in use when `preset` is null (null when there is none).
   */
  networkDiagram(
    preset: { dataset: DatasetName; preset: PresetName } | null,
  ): Promise<NetworkDiagram | null>;

  /**
   * The guidance trade-off: class-balanced DDIM samples of the model in use at each guidance
   * scale, scored by the MNIST judge (accuracy, Fréchet distance, diversity). The judge is
   * downloaded on the first run. `listener` (a Comlink.proxy) hears of the judge, each step and
   * each scale's result (with a few of its images); resolves to the whole run, or rejects with an
   * error named 'EvaluationCancelled' when cancelled or when another model is loaded meanwhile.
   * Only a class-conditional MNIST model can be judged.
   */
  startEvaluation(
    req: EvaluationRequest,
    listener: (e: EvaluationEvent) => void,
  ): Promise<EvaluationSummary>;
  /** Stops the evaluation in progress after its current denoising step. */
  cancelEvaluation(): Promise<void>;
  /**
   * Quality against cost: each sampler at each NFE budget, the same noise and labels, judged like
   * startEvaluation (samplerEvaluation.ts). Cancelled by cancelEvaluation().
   */
  startSamplerEvaluation(
    req: SamplerEvaluationRequest,
    listener: (e: SamplerEvaluationEvent) => void,
  ): Promise<NfeResult[]>;

  /**
   * The ELBO of the model in use on test images, every t in a stratified random order (Ho et al.
   * 2020, eq. 5; src/engine/likelihood). `listener` (a Comlink.proxy) hears the prior term and
   * then each pass's finished t; resolves when every t is in, or rejects with an error named
   * 'LikelihoodCancelled' when cancelled or when another model is loaded meanwhile.
   */
  startLikelihood(
    req: LikelihoodRequest,
    listener: (e: LikelihoodEvent) => void,
  ): Promise<{ evaluated: number }>;
  cancelLikelihood(): Promise<void>;
  /**
   * A learned Σ_θ per t against β_t and β̃_t (Nichol & Dhariwal 2021, eq. 15), over the first test
   * images noised to each t (engine/likelihood/sigmaProfile.ts). Only for a model with Σ_θ.
   */
  learnedSigmaProfile(req: SigmaProfileRequest): Promise<SigmaProfile>;

  saveModel(name: string): Promise<SavedModelInfo[]>;
  listSavedModels(): Promise<SavedModelInfo[]>;
  loadSavedModel(name: string): Promise<ModelInfo>;
  deleteSavedModel(name: string): Promise<SavedModelInfo[]>;
  /** The model in use as one `.dpck` file. */
  exportModel(): Promise<Uint8Array>;
  importModel(upload: CheckpointUpload): Promise<ModelInfo>;
  /**
   * Downloads a shipped pretrained model (models/<name>/model.json + weights.bin), validates it
   * like an upload and makes it the model in use. A failed download or a bad file throws with a
   * message naming the file, and the model in use stays. With `ifNoModel`, a model that is in use
   * by then (the user made or loaded one meanwhile) is kept: it resolves to null.
   */
  loadPretrained(name: PretrainedName, opts?: { ifNoModel?: boolean }): Promise<ModelInfo | null>;

  /**
   * The automatic snapshot of the work in progress: the model in use (EMA weights while training)
   * kept in IndexedDB apart from the user's saved models, one at a time, so a reload or a closed
   * tab loses nothing. Resolves to what was stored, or null when there is no model.
   */
  snapshotSession(): Promise<SavedModelInfo | null>;
  /** The snapshot kept from an earlier page, or null. */
  lastSession(): Promise<SavedModelInfo | null>;
  /** Loads the snapshot (validated like any checkpoint) as the model in use. */
  resumeSession(): Promise<ModelInfo>;
}
