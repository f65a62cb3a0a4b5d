// The model's own density from the probability-flow ODE (Song et al. 2021, Sec. 4.3, App. D.2),
// on a grid over the plane for a heat map beside the data's density, and its average
// log-likelihood of held-out data points. The score is the exact one (closed-form divergence) or
// the learned network's (the divergence from the two diagonal entries of its Jacobian).
import {
  evaluateGmm,
  exactScoreDiv,
  makeSde,
  pfOdeLogLikelihoodOf,
  type ScoreDivFn,
  type SdeKind,
} from '../../diffusion/score2d';
import {
  dataSample,
  gridPoints,
  resolveData,
  sdeParamsFor,
  type Score2dData,
} from './score2dController';

export interface ModelDensityRequest {
  data: Score2dData;
  sde: SdeKind;
  /** Cells per side of the heat maps. */
  grid: number;
  /** Heun steps of the ODE. */
  steps: number;
  /** Held-out data points. */
  heldOut: number;
  seed: number;
}

export interface ModelDensityResult {
  extent: number;
  /** log p of the model (PF-ODE) and of the data at the cell centres, top row first. */
  modelLogDensity: Float32Array;
  dataLogDensity: Float32Array;
  /** Mean log-likelihood of the held-out points, nats per point: model and data. */
  heldOutModel: number;
  heldOutData: number;
  heldOut: number;
  steps: number;
}

const mean = (a: Float64Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
};

/** One ODE solve for the grid's cell centres and the held-out points together. */
export async function modelDensity(
  req: ModelDensityRequest,
  scoreDiv?: ScoreDivFn,
): Promise<ModelDensityResult> {
  const p = resolveData(req.data);
  const grid = Math.min(128, Math.max(8, Math.round(req.grid)));
  if (!Number.isInteger(req.steps) || req.steps < 1 || req.steps > 2000) {
    throw new RangeError(`ODE steps must be an integer in [1, 2000] (got ${req.steps})`);
  }
  if (!Number.isInteger(req.heldOut) || req.heldOut < 1 || req.heldOut > 5000) {
    throw new RangeError(`held-out points must be an integer in [1, 5000] (got ${req.heldOut})`);
  }
  const cells = gridPoints(p.extent, grid);
  const held = dataSample(p, req.seed + 1, req.heldOut);
  const x = new Float64Array(cells.length + held.length);
  x.set(cells);
  x.set(held, cells.length);
  const sde = makeSde(req.sde, sdeParamsFor(p));
  const ll = await pfOdeLogLikelihoodOf(scoreDiv ?? exactScoreDiv(p.gmm), sde, x, req.steps);
  const exact = new Float64Array(ll.length);
  evaluateGmm(p.gmm, { a: 1, b: 0 }, x, { logDensity: exact });
  const G = grid * grid;
  return {
    extent: p.extent,
    modelLogDensity: Float32Array.from(ll.subarray(0, G)),
    dataLogDensity: Float32Array.from(exact.subarray(0, G)),
    heldOutModel: mean(ll, G, ll.length),
    heldOutData: mean(exact, G, ll.length),
    heldOut: req.heldOut,
    steps: req.steps,
  };
}
