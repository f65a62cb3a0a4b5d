// `score2d`: sample a 2-D data set with one of the score-based samplers (exact closed-form score)
// and write the samples as JSON; prints the component fractions against the true weights and the
// sliced Wasserstein distance to the data. Runs the same engine code as the "Score & SDE" view.
import { writeFile } from 'node:fs/promises';
import {
  isPresetName,
  isSamplerName,
  isSdeKind,
  PRESET_NAMES,
  SAMPLER_NAMES,
  SDE_KINDS,
  type SamplerSettings,
} from '../../diffusion/score2d';
import {
  allDefaults,
  dataInfo,
  dataSample,
  exactScoreFn,
  makeSampler,
  MAX_PARTICLES,
  resolveData,
} from '../../engine/playground/score2dController';
import { componentFractions, slicedWasserstein } from '../../diffusion/score2d';
import { parseChoice, parseIntegerFlag, parseNumberFlag, parseOptions } from '../args';
import { EXIT_OK, UsageError, type CliIo } from '../types';
import { DEFAULT_LEARNED } from '../../diffusion/score2d/learnedDefaults';

export const SCORE2D_USAGE = `Usage: cli score2d --data NAME --sampler NAME --out FILE [options]

Samples a 2-D data set with a score-based sampler and writes {"samples": [[x, y], …], "nfe": …}
to FILE; prints the fraction of samples in each component against the true weights and the
sliced Wasserstein distance SW₂ (64 directions; Bonneel et al. 2015) to as many data points.

Options:
  --data ${PRESET_NAMES.join('|')}
  --score exact|learned exact: the closed-form score of the data's Gaussian mixture (default);
                        learned: first trains the small score MLP (seeded, wasm) and samples
                        with it
  --objective eps|dsm   learned: ε-prediction on the VP schedule (default) or denoising score
                        matching over log-uniform σ with λ(σ) = σ² (NCSN)
  --train-steps N       learned: Adam steps, batch ${DEFAULT_LEARNED.batch} (default ${DEFAULT_LEARNED.steps})
  --sampler ${SAMPLER_NAMES.join('|')}
  --sde vp|subvp|ve     the SDE of reverse-sde, pf-ode and pc (default vp; Song et al. 2021)
  --ode euler|heun      pf-ode's solver (default heun)
  --n N                 number of samples, 1..${MAX_PARTICLES} (default 4000)
  --steps N             reverse-sde/pf-ode/pc/ddpm steps (default 500), Langevin steps
                        (default 1000), annealed Langevin steps per level (default 100)
  --sigma S             langevin: its one noise level σ (default 0.1)
  --step-size E         langevin: step α (default 0.01); annealed: ε of α_i = ε σ_i²/σ_L²
  --snr R               pc: the Langevin corrector's signal-to-noise ratio (default 0.16)
  --seed S              integer seed (default 0): the same seed, the same start for every sampler
  --out FILE            output .json file
  -h, --help            show this help
`;

const OPTIONS = {
  data: { type: 'string' },
  score: { type: 'string' },
  objective: { type: 'string' },
  'train-steps': { type: 'string' },
  sampler: { type: 'string' },
  sde: { type: 'string' },
  ode: { type: 'string' },
  n: { type: 'string' },
  steps: { type: 'string' },
  sigma: { type: 'string' },
  'step-size': { type: 'string' },
  snr: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface Score2dArgs {
  data: (typeof PRESET_NAMES)[number];
  settings: SamplerSettings;
  n: number;
  seed: number;
  out: string;
  score: 'exact' | 'learned';
  objective: 'eps' | 'dsm';
  trainSteps: number;
}

export function parseScore2dArgs(argv: string[]): Score2dArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.data === undefined) throw new UsageError(`missing --data (${PRESET_NAMES.join(', ')})`);
  const data = parseChoice('--data', v.data, PRESET_NAMES);
  if (!isPresetName(data)) throw new UsageError('bad --data');
  const score =
    v.score === undefined
      ? 'exact'
      : parseChoice('--score', v.score, ['exact', 'learned'] as const);
  const objective =
    v.objective === undefined
      ? 'eps'
      : parseChoice('--objective', v.objective, ['eps', 'dsm'] as const);
  const trainSteps =
    v['train-steps'] === undefined
      ? DEFAULT_LEARNED.steps
      : parseIntegerFlag('--train-steps', v['train-steps'], 1, 1_000_000);
  if (score === 'exact' && (v.objective !== undefined || v['train-steps'] !== undefined)) {
    throw new UsageError('--objective and --train-steps need --score learned');
  }
  if (v.sampler === undefined)
    throw new UsageError(`missing --sampler (${SAMPLER_NAMES.join(', ')})`);
  const sampler = parseChoice('--sampler', v.sampler, SAMPLER_NAMES);
  if (!isSamplerName(sampler)) throw new UsageError('bad --sampler');
  if (v.out === undefined) throw new UsageError('missing --out FILE.json');
  if (!v.out.endsWith('.json'))
    throw new UsageError(`--out must end in .json (got ${JSON.stringify(v.out)})`);
  const settings = { ...allDefaults(resolveData({ preset: data }))[sampler] };
  if (v.sde !== undefined) {
    const sde = parseChoice('--sde', v.sde, SDE_KINDS);
    if (!isSdeKind(sde)) throw new UsageError('bad --sde');
    if (sampler === 'ddpm' && sde !== 'vp')
      throw new UsageError('--sampler ddpm is defined on the VP SDE only');
    settings.sde = sde;
  }
  if (v.ode !== undefined) settings.ode = parseChoice('--ode', v.ode, ['euler', 'heun'] as const);
  if (v.steps !== undefined) settings.steps = parseIntegerFlag('--steps', v.steps, 1, 100_000);
  if (v.sigma !== undefined) settings.sigma = parseNumberFlag('--sigma', v.sigma, { above: 0 });
  if (v['step-size'] !== undefined) {
    settings.stepSize = parseNumberFlag('--step-size', v['step-size'], { above: 0 });
  }
  if (v.snr !== undefined) settings.snr = parseNumberFlag('--snr', v.snr, { min: 0 });
  const n = v.n === undefined ? 4000 : parseIntegerFlag('--n', v.n, 1, MAX_PARTICLES);
  const seed = v.seed === undefined ? 0 : parseIntegerFlag('--seed', v.seed, 0, 2 ** 31 - 1);
  return { data, settings, n, seed, out: v.out, score, objective, trainSteps };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseScore2dArgs(argv);
  if (args === 'help') {
    io.stdout(SCORE2D_USAGE);
    return EXIT_OK;
  }
  const preset = resolveData({ preset: args.data });
  const info = dataInfo(preset);
  const sampler = makeSampler(preset, args.settings, args.n, args.seed);
  const trained: string[] = [];
  let scoreFn = exactScoreFn(preset);
  let dispose = () => {};
  if (args.score === 'learned') {
    // Loaded only here: the exact path never loads tfjs.
    const { initBackend } = await import('../../engine/backends/select');
    const { nodeWasmDir } = await import('../../engine/backends/nodeWasm');
    const { LearnedScore } = await import('../../engine/playground/score2dLearned');
    const choice = await initBackend('wasm', { wasmPaths: nodeWasmDir() });
    if (choice.backend !== 'wasm') throw new Error(`wasm did not start: ${choice.fallbackReason}`);
    const learned = new LearnedScore(preset, {
      objective: args.objective,
      steps: args.trainSteps,
      seed: args.seed,
    });
    const tt = performance.now();
    let loss = Number.NaN;
    for (let i = 0; i < args.trainSteps; i++) loss = await learned.trainStep();
    trained.push(
      `trained the score MLP (${args.objective === 'eps' ? 'ε-prediction on VP' : 'DSM, λ(σ) = σ²'}): ${args.trainSteps} steps × ${DEFAULT_LEARNED.batch} in ${((performance.now() - tt) / 1000).toFixed(1)} s, last loss ${loss.toFixed(4)} (mean per coordinate)`,
    );
    scoreFn = learned.scoreFn();
    dispose = () => learned.dispose();
  }
  const t0 = performance.now();
  const x = await sampler.run(scoreFn);
  dispose();
  const ms = performance.now() - t0;
  const samples: [number, number][] = [];
  for (let i = 0; i < args.n; i++) samples.push([x[2 * i], x[2 * i + 1]]);
  await writeFile(args.out, `${JSON.stringify({ samples, nfe: sampler.nfe })}\n`);
  const fractions = componentFractions(preset.gmm, x);
  const sw = slicedWasserstein(x, dataSample(preset, args.seed, args.n));
  const floor = slicedWasserstein(
    dataSample(preset, args.seed + 1, args.n),
    dataSample(preset, args.seed, args.n),
  );
  const lines = [
    ...trained,
    `${args.score} score, ${info.label}: ${args.settings.sampler}${['reverse-sde', 'pf-ode', 'pc'].includes(args.settings.sampler) ? ` (${args.settings.sde})` : ''}, ${args.n} samples, ${sampler.nfe} score evaluations, ${(ms / 1000).toFixed(2)} s`,
    'component fractions (samples in each component / true weight):',
    ...info.groupNames.map(
      (g, k) => `  ${g}: ${fractions[k].toFixed(3)} / ${info.groupWeights[k].toFixed(3)}`,
    ),
    `sliced Wasserstein SW2 to ${args.n} data points: ${sw.toFixed(3)} (two data samples of this size: ${floor.toFixed(3)})`,
    `wrote ${args.out}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
