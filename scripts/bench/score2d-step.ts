// Times one reverse-SDE step with the exact score for 2,000 particles on each preset (plain
// typed-array JS, as in the worker): `npx tsx scripts/bench/score2d-step.ts`.
import { makePreset, PRESET_NAMES, sigmaMaxFor } from '../../src/diffusion/score2d/presets';
import { gmmScore } from '../../src/diffusion/score2d/gmm';
import {
  ParticleSampler,
  defaultSettings,
  type ScoreFn,
} from '../../src/diffusion/score2d/sampler';
import { Gaussian } from '../../src/diffusion/score2d/rng';

for (const name of PRESET_NAMES) {
  const p = makePreset(name);
  const sigmaMax = sigmaMaxFor(p.gmm);
  const start = new Gaussian(1).fill(new Float64Array(4000));
  const st = { ...defaultSettings('reverse-sde', sigmaMax), steps: 200 };
  const params = { betaMin: 0.1, betaMax: 20, sigmaMin: 0.01, sigmaMax };
  const s = new ParticleSampler(st, params, start, 2, p.extent);
  const score: ScoreFn = (x, m, o) => {
    gmmScore(p.gmm, m, x, o);
  };
  for (let i = 0; i < 20; i++) await s.step(score);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) await s.step(score);
  const ms = (performance.now() - t0) / 100;
  const K = p.gmm.weights.length;
  console.log(
    JSON.stringify({ preset: name, components: K, particles: 2000, msPerStep: +ms.toFixed(2) }),
  );
}
