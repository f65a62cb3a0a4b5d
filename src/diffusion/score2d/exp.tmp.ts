import { makePreset, sigmaMaxFor } from './presets';
import { gmmScore } from './gmm';
import { ParticleSampler, defaultSettings, SAMPLER_NAMES } from './sampler';
import { Gaussian } from './rng';
import { componentFractions, slicedWasserstein } from './metrics';
import { sampleGmm } from './gmm';
const p = makePreset('mixture');
const sm = sigmaMaxFor(p.gmm);
const n = 4000;
const start = new Gaussian(1).fill(new Float64Array(2 * n));
const g = new Gaussian(7);
const data = sampleGmm(
  p.gmm,
  n,
  () => g.uniformDraw(),
  () => g.next(),
);
for (const name of SAMPLER_NAMES)
  for (const sde of ['vp', 've', 'subvp'] as const) {
    if ((name === 'langevin' || name === 'annealed-langevin' || name === 'ddpm') && sde !== 'vp')
      continue;
    const st = defaultSettings(name, sm);
    st.sde = sde;
    const t0 = performance.now();
    const s = new ParticleSampler(
      st,
      { betaMin: 0.1, betaMax: 20, sigmaMin: 0.01, sigmaMax: sm },
      start,
      2,
      p.extent,
    );
    const x = await s.run((x, m, out) => {
      gmmScore(p.gmm, m, x, out);
    });
    console.log(
      name,
      sde,
      Array.from(componentFractions(p.gmm, x)).map((v) => v.toFixed(3)),
      'SW',
      slicedWasserstein(x, data).toFixed(3),
      'nfe',
      s.nfe,
      ((performance.now() - t0) / s.totalSteps).toFixed(2),
      'ms/step',
    );
  }
