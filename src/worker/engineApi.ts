// The worker side of models, training, sampling and checkpoints: thin RPC methods over the
// engine's controllers. Arrays going back to the UI are transferred, not copied.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { ModelSlot } from '../engine/playground/modelSlot';
import { TrainingController } from '../engine/playground/trainingController';
import { SamplingController } from '../engine/playground/samplingController';
import type { TrainingPeers } from '../engine/playground/trainingPeers';
import { SamplingPeerLink, type SamplingPeerApi } from '../engine/playground/samplingPeer';
import { wasmThreadsInUse } from '../engine/backends/wasmThreads';
import { leaseOwnWeights, leaseSnapshotWeights } from '../engine/playground/weights';
import {
  EvaluationController,
  judgeFolder,
  type EvaluationEvent,
} from '../engine/playground/evaluationController';
import { fetchJudge } from '../engine/judge/fetchStore';
import { fetchNoisyClassifier } from '../engine/noisyClassifier/fetchStore';
import { GuidingClassifiers } from '../engine/playground/guidingClassifier';
import { createNoisyClassifierApi } from './noisyClassifierApi';
import { usesClassifier } from '../engine/sampling/guidanceMethod';
import { LikelihoodController } from '../engine/playground/likelihoodController';
import { runSigmaProfile } from '../engine/playground/sigmaProfileRun';
import { ComparisonController } from '../engine/playground/comparisonController';
import { networkDiagram } from '../model/blocks';
import { getPreset } from '../model/presets';
import { encodeModelInUse } from '../engine/playground/checkpoints';
import { SingleFlight } from '../engine/playground/singleFlight';
import {
  fetchPretrained,
  isPretrainedName,
  pretrainedLabel,
} from '../engine/playground/pretrained';
import {
  IdbCheckpointStore,
  decodeCheckpoint,
  fromFiles,
  packCheckpoint,
  unpackCheckpoint,
  type StoredCheckpointInfo,
} from '../engine/checkpoint';
import type { DatasetCache } from '../engine/datasetCache';
import type {
  EngineApi,
  ModelInfo,
  SamplingFrame,
  SavedModelInfo,
  TrainingEvent,
  TrainingProgress,
} from './api';

/**
 * Closes the MessagePort behind a callback the page passed with Comlink.proxy once a call is
 * over (each proxy opens one); a no-op for plain functions (Node tests). Comlink sends the release
 * after the messages already posted on that port, so no event is lost.
 */
function releaseRemote(callback: unknown): void {
  if (typeof callback !== 'function') return;
  const release = (callback as unknown as Record<PropertyKey, unknown>)[Comlink.releaseProxy];
  if (typeof release === 'function') (release as () => void)();
}

function frameBuffers(f: SamplingFrame): ArrayBuffer[] {
  const cg = f.classifier ? [f.classifier.probs, f.classifier.grad] : [];
  return [f.x, f.xt, f.x0Pred, f.eps, f.epsUsed, f.epsCond, f.epsUncond, ...cg]
    .filter((a): a is Float32Array => a !== null)
    .map((a) => a.buffer as ArrayBuffer);
}

/** A frame for a caller that joined a start already in flight: its own buffers to transfer. */
function copyFrame(f: SamplingFrame): SamplingFrame {
  const copy = (a: Float32Array | null) => (a ? new Float32Array(a) : null);
  return {
    ...f,
    x: new Float32Array(f.x),
    xt: copy(f.xt),
    x0Pred: copy(f.x0Pred),
    eps: copy(f.eps),
    epsCond: copy(f.epsCond),
    epsUncond: copy(f.epsUncond),
    classifier: f.classifier
      ? {
          ...f.classifier,
          probs: new Float32Array(f.classifier.probs),
          grad: new Float32Array(f.classifier.grad),
        }
      : f.classifier,
  };
}

function savedInfo(s: StoredCheckpointInfo): SavedModelInfo {
  return {
    name: s.name,
    savedAt: s.savedAt,
    dataset: s.summary.dataset,
    trainingSteps: s.summary.trainingSteps,
    bytes: s.summary.weightBytes,
  };
}

const SESSION_DB = 'diffusion-playground-session';
const SESSION_NAME = 'last session';

/** What the engine needs from the worker around it. */
export interface EngineEnv {
  datasets(): DatasetCache;
  /** Resolves once the tfjs backend is initialised (no tensor may be made before). */
  backendReady(): Promise<unknown>;
  /** The folder holding the pretrained model folders, ending in '/'. */
  modelBaseUrl(): string;
  /** Where attached peers are also offered to training (the worker's bench uses them too). */
  trainingPeers: TrainingPeers;
}

export function createEngineApi(env: EngineEnv): EngineApi {
  const { datasets } = env;
  const slot = new ModelSlot();
  const training = new TrainingController(
    slot,
    (name) => datasets().get(name, 'train'),
    env.trainingPeers,
  );
  const sampling = new SamplingController();
  const peerLinks: SamplingPeerLink[] = [];
  const evaluation = new EvaluationController(async (dataset) =>
    fetchJudge(new URL(judgeFolder(dataset), env.modelBaseUrl()).href),
  );
  const likelihood = new LikelihoodController();
  const comparison = new ComparisonController();
  const guiding = new GuidingClassifiers((folder) =>
    fetchNoisyClassifier(new URL(folder, env.modelBaseUrl()).href),
  );
  // Start actions join a call with the same key already in flight (see singleFlight.ts).
  const flights = new SingleFlight();
  const once = async <T>(key: string, task: () => Promise<T>): Promise<T> =>
    (await flights.run(key, task)).value;
  let store: IdbCheckpointStore | null = null;
  const checkpoints = () => (store ??= new IdbCheckpointStore());
  // The automatic snapshot lives in its own database, so it never mixes with the saved models.
  let sessionStore: IdbCheckpointStore | null = null;
  const sessions = () =>
    (sessionStore ??= new IdbCheckpointStore(globalThis.indexedDB, SESSION_DB));

  // A new model ends whatever used the old one.
  slot.onReplace = async () => {
    sampling.stop();
    // Its weights are a snapshot, so it need not be waited for; its numbers would describe a
    // model no longer in use.
    evaluation.cancel('cancelled: another model was loaded');
    likelihood.cancel('cancelled: another model was loaded');
    comparison.cancel('cancelled: another model was loaded');
    await training.stop();
  };

  const classNamesOf = async (dataset: string): Promise<string[]> => [
    ...(await datasets().get(dataset, 'test')).classNames,
  ];

  const forward = (listener: (e: TrainingEvent) => void) => (e: TrainingEvent) => {
    if (e.type === 'preview') {
      void listener(Comlink.transfer(e, [e.preview.data.buffer as ArrayBuffer]));
    } else {
      void listener(e);
    }
  };

  const forwardEvaluation = (listener: (e: EvaluationEvent) => void) => (e: EvaluationEvent) => {
    if (e.type === 'scale') {
      const { images, labels } = e.result;
      void listener(Comlink.transfer(e, [images.buffer, labels.buffer] as ArrayBuffer[]));
    } else {
      void listener(e);
    }
  };

  const api: EngineApi = {
    async createModel(req) {
      return once(`createModel ${JSON.stringify(req)}`, async () => {
        const classNames = await classNamesOf(req.dataset);
        return slot.create(req.dataset, req.preset, classNames, {
          seed: req.seed,
          schedule: req.schedule,
          learnSigma: req.learnSigma === true,
        }) as Promise<ModelInfo>;
      });
    },

    async modelInfo() {
      return slot.info as ModelInfo | null;
    },

    async startTraining(config, listener) {
      // A second Train while the first is starting joins it: one loop, which Pause stops.
      await once('startTraining', async () => {
        training.setListener(forward(listener));
        await training.start(config);
      });
    },

    async pauseTraining() {
      await training.pause();
    },

    async stepTraining(config, listener): Promise<TrainingProgress> {
      return once('stepTraining', async () => {
        training.setListener(forward(listener));
        return training.stepOnce(config);
      });
    },

    async setLearningRate(lr) {
      training.setLearningRate(lr);
    },

    async trainingState() {
      return { state: training.state, step: training.stepCount };
    },

    async startSampling(req) {
      const { value, first } = await flights.run(
        `startSampling ${JSON.stringify(req)}`,
        async () => {
          await slot.settled();
          const info = slot.info;
          const clf =
            info && req.guidanceMethod && usesClassifier(req.guidanceMethod)
              ? (
                  await guiding.forModel({
                    dataset: info.dataset,
                    imageSize: info.imageSize,
                    inChannels: info.channels,
                    numClasses: info.numClasses,
                    schedule: slot.schedule,
                  })
                ).classifier
              : null;
          const lease = training.emaLease() ?? leaseOwnWeights(slot.model);
          return sampling.start(lease, slot.schedule, req, clf);
        },
      );
      // The first caller gets the frame's own buffers; a caller that joined gets copies.
      const frame = first ? value : copyFrame(value);
      return Comlink.transfer(frame, frameBuffers(frame));
    },

    async advanceSampling(k, onProgress) {
      try {
        // Not awaited: a step must not wait for the page to hear about the one before.
        const frame = await sampling.advance(k, onProgress && ((p) => void onProgress(p)));
        return Comlink.transfer(frame, frameBuffers(frame));
      } finally {
        releaseRemote(onProgress);
      }
    },

    async setGuidanceScale(s) {
      if (!Number.isFinite(s)) throw new RangeError(`guidance scale must be a number (got ${s})`);
      sampling.setGuidanceScale(s);
    },

    async setClassifierScale(s) {
      if (!Number.isFinite(s) || s < 0) {
        throw new RangeError(`classifier scale must be a number >= 0 (got ${s})`);
      }
      sampling.setClassifierScale(s);
    },

    ...createNoisyClassifierApi({
      guiding,
      datasets,
      backendReady: env.backendReady,
      modelInUse: async () => {
        await slot.settled();
        const info = slot.info;
        if (!info) return null;
        const { kind, T, scaled } = slot.schedule;
        return { dataset: info.dataset, schedule: { kind, T, scaled } };
      },
      stopGuidedRuns: async () => {
        sampling.stop();
        await evaluation.stop('cancelled: the guiding classifier was replaced');
      },
    }),

    async cancelSampling() {
      sampling.cancel();
    },

    async attachSamplingPeer(port) {
      await env.backendReady();
      if (tf.getBackend() !== 'wasm') {
        port.close();
        return false;
      }
      const remote = Comlink.wrap<SamplingPeerApi>(port);
      const link = new SamplingPeerLink({
        loadWeights: (w) =>
          remote.loadWeights(
            Comlink.transfer(w, [...new Set(w.tensors.map((t) => t.data.buffer as ArrayBuffer))]),
          ),
        predict: (id, req) =>
          remote.predict(id, Comlink.transfer(req, [req.x.buffer as ArrayBuffer])),
        // The peer releases the proxy (and so its port) when the run ends.
        runSteps: (id, req, onStep) =>
          remote.runSteps(
            id,
            Comlink.transfer(req, [req.x.buffer as ArrayBuffer]),
            Comlink.proxy(onStep),
          ),
        // The weights go to every peer, so they are copied; the part's own arrays move.
        gradients: (req) =>
          remote.gradients(
            Comlink.transfer(req, [req.x0.buffer as ArrayBuffer, req.noise.buffer as ArrayBuffer]),
          ),
      });
      peerLinks.push(link);
      env.trainingPeers.add(link);
      // A threaded compute worker beside busy single-threaded peers waits on its own pool: with
      // more than one thread here, the peers take the whole batch (README, issue 12).
      sampling.setPeerLinks(peerLinks, wasmThreadsInUse() <= 1);
      evaluation.setPeerLinks(peerLinks, wasmThreadsInUse() <= 1);
      return true;
    },

    async compareSamplers(req, onProgress) {
      try {
        await slot.settled();
        // A snapshot: training may go on meanwhile without changing what this run samples from.
        const lease = training.emaLease() ?? leaseSnapshotWeights(slot.model);
        const result = await comparison.run(
          lease,
          slot.schedule,
          req,
          onProgress && ((p) => void onProgress(p)),
        );
        const buffers = [result.xT, ...result.sides.map((s) => s.x)];
        return Comlink.transfer(
          result,
          buffers.map((a) => a.buffer as ArrayBuffer),
        );
      } finally {
        releaseRemote(onProgress);
      }
    },

    async cancelComparison() {
      comparison.cancel();
    },

    async networkDiagram(preset) {
      if (preset) return networkDiagram(getPreset(preset.dataset, preset.preset));
      return slot.info ? networkDiagram(slot.model.config) : null;
    },

    async startEvaluation(req, listener) {
      try {
        return await once('startEvaluation', () => evaluate(req, listener));
      } finally {
        releaseRemote(listener);
      }
    },

    async cancelEvaluation() {
      evaluation.cancel();
    },

    // Quality against cost (samplers × NFE); shares the evaluation's one-run-at-a-time slot.
    async startSamplerEvaluation(req, listener) {
      try {
        return await once('startSamplerEvaluation', async () => {
          const target = await evaluationTarget();
          return evaluation.runSamplers(target, req, (e) => void listener(e));
        });
      } finally {
        releaseRemote(listener);
      }
    },

    async startLikelihood(req, listener) {
      try {
        return await once('startLikelihood', async () => {
          await env.backendReady();
          await slot.settled();
          const info = slot.info;
          if (!info) throw new Error('no model yet: load a pretrained model or train one first');
          const dataset = await datasets().get(info.dataset, 'test');
          const lease = training.emaLease() ?? leaseSnapshotWeights(slot.model);
          return likelihood.run({ lease, schedule: slot.schedule, dataset }, req, (e) => {
            void listener(e);
          });
        });
      } finally {
        releaseRemote(listener);
      }
    },

    async cancelLikelihood() {
      likelihood.cancel();
    },

    async learnedSigmaProfile(req) {
      return once(`learnedSigmaProfile ${JSON.stringify(req)}`, async () => {
        await env.backendReady();
        await slot.settled();
        const info = slot.info;
        if (!info) throw new Error('no model yet: load a pretrained model or train one first');
        const dataset = await datasets().get(info.dataset, 'test');
        const lease = training.emaLease() ?? leaseSnapshotWeights(slot.model);
        return runSigmaProfile({ lease, schedule: slot.schedule, dataset }, req);
      });
    },

    async saveModel(name) {
      await checkpoints().save(name, await encodeModelInUse(slot, training));
      return (await checkpoints().list()).map(savedInfo);
    },

    async listSavedModels() {
      return (await checkpoints().list()).map(savedInfo);
    },

    async loadSavedModel(name) {
      return once(`loadSavedModel ${name}`, async () => {
        const raw = await checkpoints().load(name);
        return slot.load(raw, `saved model "${name}"`) as Promise<ModelInfo>;
      });
    },

    async deleteSavedModel(name) {
      await checkpoints().remove(name);
      return (await checkpoints().list()).map(savedInfo);
    },

    async exportModel() {
      const bytes = packCheckpoint(await encodeModelInUse(slot, training));
      return Comlink.transfer(bytes, [bytes.buffer]);
    },

    async importModel(upload) {
      const size = upload.kind === 'pack' ? upload.bytes.byteLength : upload.weights.byteLength;
      return once(`importModel ${upload.fileName} ${size}`, async () => {
        const raw =
          upload.kind === 'pack'
            ? unpackCheckpoint(upload.bytes, upload.fileName)
            : fromFiles(upload.modelJson, upload.weights);
        return slot.load(raw, `file "${upload.fileName}"`) as Promise<ModelInfo>;
      });
    },

    async loadPretrained(name, opts = {}) {
      if (!isPretrainedName(name))
        throw new RangeError(`no pretrained model named ${String(name)}`);
      return once(`loadPretrained ${name} ${opts.ifNoModel ? 'ifNoModel' : ''}`, async () => {
        // Download and validate while the backend may still be starting: neither needs tensors.
        const raw = await fetchPretrained(env.modelBaseUrl(), name);
        const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
        await env.backendReady();
        const label = pretrainedLabel(name);
        const info = opts.ifNoModel
          ? await slot.loadIfEmpty(decoded, label, { pretrained: name })
          : await slot.loadDecoded(decoded, label, { pretrained: name });
        return info as ModelInfo | null;
      });
    },

    async snapshotSession() {
      return once('snapshotSession', async () => {
        if (!slot.hasModel) return null;
        return savedInfo(
          await sessions().save(SESSION_NAME, await encodeModelInUse(slot, training)),
        );
      });
    },

    async lastSession() {
      const found = (await sessions().list()).find((s) => s.name === SESSION_NAME);
      return found ? savedInfo(found) : null;
    },

    async resumeSession() {
      return once('resumeSession', async () => {
        const raw = await sessions().load(SESSION_NAME);
        return slot.load(raw, 'last session (kept automatically)') as Promise<ModelInfo>;
      });
    },
  };

  async function evaluationTarget() {
    await env.backendReady();
    await slot.settled();
    const info = slot.info;
    if (!info) throw new Error('no model yet: load the pretrained MNIST model first');
    const lease = training.emaLease() ?? leaseSnapshotWeights(slot.model);
    return { lease, schedule: slot.schedule, dataset: info.dataset };
  }

  async function evaluate(
    req: Parameters<EngineApi['startEvaluation']>[0],
    listener: Parameters<EngineApi['startEvaluation']>[1],
  ) {
    await env.backendReady();
    // Not the model a swap in flight is about to replace.
    await slot.settled();
    const info = slot.info;
    if (!info) throw new Error('no model yet: load the pretrained MNIST model first');
    // A snapshot (or the EMA copy while training): training on or swapping the model cannot
    // touch the weights this run samples from.
    const lease = training.emaLease() ?? leaseSnapshotWeights(slot.model);
    const classifier =
      req.guidanceMethod === 'classifier' || req.guidanceMethod === 'both'
        ? (
            await guiding
              .forModel({
                dataset: info.dataset,
                imageSize: info.imageSize,
                inChannels: info.channels,
                numClasses: info.numClasses,
                schedule: slot.schedule,
              })
              .catch((e: unknown) => {
                lease.release();
                throw e;
              })
          ).classifier
        : undefined;
    const target = { lease, schedule: slot.schedule, dataset: info.dataset, classifier };
    return evaluation.run(target, req, forwardEvaluation(listener));
  }
  return api;
}
