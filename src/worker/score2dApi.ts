// The worker side of the "Score & SDE" view: thin RPC methods over the engine's 2-D controller.
// Arrays going back to the UI are transferred, not copied.
import * as Comlink from 'comlink';
import {
  allDefaults,
  computeField,
  dataInfo,
  heldOutLogLikelihood,
  resolveData,
  Score2dController,
  sweepNfe,
  type RunFrame,
} from '../engine/playground/score2dController';
import type { Score2dApi } from './api';

export function createScore2dApi(): Score2dApi {
  const controller = new Score2dController();
  let sweepToken = 0;
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
    async score2dLikelihood(data, sde) {
      return heldOutLogLikelihood(data, sde, 500, 0);
    },
  };
}
