// The worker side of the "Score & SDE" view: thin RPC methods over the engine's 2-D controller.
// Arrays going back to the UI are transferred, not copied.
import * as Comlink from 'comlink';
import {
  allDefaults,
  computeField,
  dataInfo,
  resolveData,
  Score2dController,
  sweepNfe,
  type RunFrame,
} from '../engine/playground/score2dController';
import type { Score2dApi } from './api';
import { learnedField, LearnedScore } from '../engine/playground/score2dLearned';
import { marginalOf } from '../engine/playground/score2dController';
import { modelDensity } from '../engine/playground/score2dDensity';

/** The model-density grids: the exact score is cheap; the network's Jacobian costs two passes. */
const DENSITY = {
  exact: { grid: 48, steps: 100, heldOut: 500 },
  learned: { grid: 32, steps: 40, heldOut: 300 },
} as const;

export function createScore2dApi(): Score2dApi {
  const controller = new Score2dController();
  let sweepToken = 0;
  let learned: { key: string; model: LearnedScore } | null = null;
  let training = false;
  let stopTraining = false;
  const sendFrame = (f: RunFrame) => Comlink.transfer(f, [f.x.buffer as ArrayBuffer]);
  return {
    async score2dInfo(data) {
      const p = resolveData(data);
      return { info: dataInfo(p), defaults: allDefaults(p) };
    },
    async score2dField(req) {
      const f = computeField(req);
      return Comlink.transfer(f, [f.logDensity.buffer, f.score.buffer] as ArrayBuffer[]);
    },
    async score2dStart(req) {
      return sendFrame(controller.start(req));
    },
    async score2dAdvance(k) {
      return sendFrame(await controller.advance(k));
    },
    async score2dSweep(req, onPoint) {
      const token = ++sweepToken;
      return sweepNfe(
        req.data,
        req.settings,
        req.n,
        req.seed,
        onPoint && ((p) => void onPoint(p)),
        () => token !== sweepToken,
      );
    },
    async score2dTrain(req, listener) {
      if (training) throw new Error('training is already running');
      const key = JSON.stringify([req.data, req.objective]);
      if (!learned || learned.key !== key) {
        learned?.model.dispose();
        learned = {
          key,
          model: new LearnedScore(resolveData(req.data), {
            objective: req.objective,
            steps: req.steps,
          }),
        };
      }
      const model = learned.model;
      training = true;
      stopTraining = false;
      let loss = Number.NaN;
      try {
        let t0 = performance.now();
        let since = 0;
        while (!stopTraining && model.stepsDone < req.steps) {
          loss = await model.trainStep();
          since++;
          if (since === 20 || model.stepsDone === req.steps) {
            void listener({
              step: model.stepsDone,
              loss,
              msPerStep: (performance.now() - t0) / since,
            });
            since = 0;
            t0 = performance.now();
            // Let a pause request in.
            await new Promise((r) => setTimeout(r, 0));
          }
        }
      } finally {
        training = false;
      }
      return { step: model.stepsDone, loss };
    },
    async score2dPauseTraining() {
      stopTraining = true;
    },
    async score2dLearnedField(req) {
      if (!learned || learned.model.stepsDone === 0) return null;
      const p = learned.model.preset;
      const f = await learnedField(
        learned.model,
        marginalOf(p, req.level),
        p.extent,
        req.grid,
        req.arrows,
      );
      return Comlink.transfer(f, [f.score.buffer, f.errorLog10.buffer] as ArrayBuffer[]);
    },
    async score2dStartLearned(req) {
      if (!learned || learned.model.stepsDone === 0)
        throw new Error('train the score network first');
      if (JSON.stringify(JSON.parse(learned.key)[0]) !== JSON.stringify(req.data)) {
        throw new Error('the network was trained on other data: train it on this data first');
      }
      return sendFrame(controller.start(req, learned.model.scoreFn()));
    },
    async score2dModelDensity(req) {
      let scoreDiv;
      if (req.score === 'learned') {
        if (!learned || learned.model.stepsDone === 0) {
          throw new Error('train the score network first');
        }
        if (JSON.stringify(JSON.parse(learned.key)[0]) !== JSON.stringify(req.data)) {
          throw new Error('the network was trained on other data: train it on this data first');
        }
        scoreDiv = learned.model.scoreDivFn();
      }
      const f = await modelDensity(
        { data: req.data, sde: req.sde, seed: 0, ...DENSITY[req.score] },
        scoreDiv,
      );
      return Comlink.transfer(f, [
        f.modelLogDensity.buffer,
        f.dataLogDensity.buffer,
      ] as ArrayBuffer[]);
    },
  };
}
