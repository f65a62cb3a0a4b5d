// `nll`: the negative log-likelihood bound (ELBO) of a checkpoint on test images, in bits per
// dimension, summed exactly over all T timesteps (Ho et al. 2020, eq. 5 and 13; improved-
// diffusion's calc_bpd_loop). Prints the total with its standard error over the images and the
// split into L_0 (decoder), Σ L_{t−1} and L_T.
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { makeSchedule } from '../../diffusion/schedule';
import type { ElboVariance } from '../../diffusion/vlb';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { createUNetFromCheckpoint, decodeCheckpoint } from '../../engine/checkpoint';
import { loadCheckpointPath } from '../../engine/checkpoint/fsStore';
import { computeNllTerms, summarizeNll } from '../../engine/likelihood/nll';
import { parseChoice, parseIntegerFlag, parseOptions } from '../args';
import { DEFAULT_DATA_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

export const NLL_USAGE = `Usage: cli nll --model PATH [options]

The variational bound on the negative log-likelihood (Ho et al. 2020, eq. 5) of the first --n
test images, in bits per dimension (nats / (H·W·C · ln 2)) on the 256-level pixel grid, summed
over every timestep: L = L_0 + Σ_{t=2..T} L_{t−1} + L_T. L_0 is the discretised Gaussian decoder
(eq. 13), each L_{t−1} the KL between the posterior q(x_{t−1} | x_t, x_0) (eq. 6–7) and the model's
p_θ(x_{t−1} | x_t) with σ² = β or β̃, L_T the KL of q(x_T | x_0) to N(0, I). One sample of x_t per
image and t. The ± is the standard error over the images. It costs T·n network passes.

Options:
  --model PATH                  checkpoint directory (model.json + weights.bin) or file
  --n N                         test images (default 256)
  --variance beta|betaTilde|learned
                                the reverse-process variance σ² (default: learned for a model
                                trained with --learn-sigma, whose Σ_θ is Nichol & Dhariwal 2021's
                                eq. 15; it then also prints β and β̃ from the same passes;
                                otherwise betaTilde)
  --conditional                 the bound of p(x | y) with the true labels (default: the
                                unconditional model, i.e. the null class of a CFG model)
  --seed S                      seed of the noise (default 0)
  --batch B                     (image, t) pairs per network pass (default 64)
  --data DIR                    prepared data root (default <repo>/public/data)
  --backend wasm|cpu            tfjs backend (default wasm)
  --json FILE                   also write the summary and the mean term per t as JSON
  -h, --help                    show this help
`;

const OPTIONS = {
  model: { type: 'string' },
  n: { type: 'string' },
  variance: { type: 'string' },
  conditional: { type: 'boolean' },
  seed: { type: 'string' },
  batch: { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface NllArgs {
  model: string;
  n: number;
  /** null: learned for a model with Σ_θ, else betaTilde. */
  variance: ElboVariance | null;
  conditional: boolean;
  seed: number;
  batch: number;
  data: string;
  backend: 'wasm' | 'cpu';
  json: string | null;
}

export function parseNllArgs(argv: string[]): NllArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.model === undefined) throw new UsageError('missing --model (a checkpoint)');
  return {
    model: v.model,
    n: v.n === undefined ? 256 : parseIntegerFlag('--n', v.n, 1, 10_000),
    variance:
      v.variance === undefined
        ? null
        : parseChoice('--variance', v.variance, ['beta', 'betaTilde', 'learned'] as const),
    conditional: v.conditional ?? false,
    seed: v.seed === undefined ? 0 : parseIntegerFlag('--seed', v.seed, 0, Number.MAX_SAFE_INTEGER),
    batch: v.batch === undefined ? 64 : parseIntegerFlag('--batch', v.batch, 1, 4096),
    data: v.data ?? DEFAULT_DATA_DIR,
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    json: v.json ?? null,
  };
}

const f4 = (v: number) => v.toFixed(4);

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseNllArgs(argv);
  if (args === 'help') {
    io.stdout(NLL_USAGE);
    return EXIT_OK;
  }
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const raw = await loadCheckpointPath(args.model);
  const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
  const { manifest } = decoded;
  const schedule = makeSchedule(manifest.schedule);
  const hasSigma = manifest.modelConfig.learnSigma === true;
  if (args.variance === 'learned' && !hasSigma) {
    throw new UsageError(
      '--variance learned needs a model trained with --learn-sigma; this one has only β and β̃',
    );
  }
  const variance: ElboVariance = args.variance ?? (hasSigma ? 'learned' : 'betaTilde');
  const ds = await loadDataset(fsSource(args.data), manifest.dataset, 'test', { limit: args.n });
  const n = Math.min(args.n, ds.count);
  const size = ds.height * ds.width * ds.channels;
  const pixels = new Float32Array(n * size);
  for (let k = 0; k < n * size; k++) pixels[k] = (2 * ds.images[k]) / 255 - 1;
  const labels = args.conditional ? Int32Array.from(ds.labels.subarray(0, n)) : null;
  const model = createUNetFromCheckpoint(decoded);
  const x0 = tf.tensor4d(pixels, [n, ds.height, ds.width, ds.channels]);
  try {
    const total = schedule.T * n;
    let done = 0;
    let lastPrint = 0;
    const start = performance.now();
    io.stderr(
      `nll: ${manifest.dataset}, ${n} test images, T = ${schedule.T} (${total} network evaluations), ` +
        `σ² = ${variance}, ${args.conditional ? 'conditional' : 'unconditional'}, ${choice.backend}\n`,
    );
    const terms = await computeNllTerms(model, schedule, x0, {
      variance,
      labels,
      seed: args.seed,
      batchSize: args.batch,
      onTerms: (d) => {
        done += d.length;
        const now = performance.now();
        if (now - lastPrint > 10_000 || done === total) {
          lastPrint = now;
          const s = (now - start) / 1000;
          io.stderr(
            `  ${done}/${total} terms, ${s.toFixed(0)} s, ~${((s / done) * (total - done)).toFixed(0)} s left\n`,
          );
        }
      },
    });
    const s = summarizeNll(terms);
    const seconds = (performance.now() - start) / 1000;
    io.stdout(
      `bits/dim ${f4(s.bitsPerDim)} ± ${f4(s.standardError)} (standard error over ${n} images)\n` +
        `  L_0 (decoder)      ${f4(s.decoder)}\n` +
        `  Σ L_{t-1}, t=2..T  ${f4(s.diffusion)}\n` +
        `  L_T (prior)        ${f4(s.prior)}\n` +
        `  ${seconds.toFixed(1)} s\n`,
    );
    const fixed = terms.fixed
      ? Object.fromEntries(
          (['betaTilde', 'beta'] as const).map((v) => {
            const f = summarizeNll({ ...terms, variance: v, terms: terms.fixed?.[v] ?? [] });
            io.stdout(
              `same passes, σ² = ${v}: bits/dim ${f4(f.bitsPerDim)} ± ${f4(f.standardError)} ` +
                `(L_0 ${f4(f.decoder)}, Σ L_{t-1} ${f4(f.diffusion)})\n`,
            );
            const { bitsPerDim, standardError, decoder, diffusion } = f;
            return [v, { bitsPerDim, standardError, decoder, diffusion }];
          }),
        )
      : undefined;
    if (args.json) {
      const json = {
        command: commandLine('nll', argv),
        gitCommit: gitCommit(),
        machine: machine(choice.backend),
        model: args.model,
        dataset: manifest.dataset,
        n,
        T: schedule.T,
        variance,
        ...(fixed ? { fixedVariances: fixed } : {}),
        conditional: args.conditional,
        seed: args.seed,
        bitsPerDim: s.bitsPerDim,
        standardError: s.standardError,
        decoder: s.decoder,
        diffusion: s.diffusion,
        prior: s.prior,
        perIndexBitsPerDim: Array.from(s.perIndex),
        seconds,
      };
      await writeFile(args.json, JSON.stringify(json, null, 1) + '\n');
    }
    return EXIT_OK;
  } finally {
    x0.dispose();
    model.dispose();
  }
}
