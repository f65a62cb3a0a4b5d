// `eval --guidance-method both`: classifier-free and classifier guidance side by side in one run
// (compareGuidance: the same noise and classes for both curves), as the Guidance trade-off
// view's "both". One table per method, the classifier scale with the best judge accuracy, JSON.
import { writeFile } from 'node:fs/promises';
import type { Schedule } from '../../diffusion/schedule';
import {
  compareGuidance,
  type GuidanceEvaluation,
  type ScaleResult,
} from '../../engine/evaluation';
import type { Judge } from '../../engine/judge/load';
import type { EpsModel } from '../../engine/sampling/eps';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { commandLine, gitCommit, machine } from '../provenance';
import type { CliIo } from '../types';
import type { EvalArgs } from './evaluate';

/** Table helpers shared with evaluate.ts (passed in: no import cycle). */
export interface TableFormat {
  header: string;
  row: (r: ScaleResult) => string;
}

/** The scale with the highest judge accuracy (the lowest Fréchet distance breaks a tie). */
export function bestByAccuracy(results: readonly ScaleResult[]): ScaleResult | null {
  let best: ScaleResult | null = null;
  for (const r of results) {
    if (
      best === null ||
      r.accuracy.overall > best.accuracy.overall ||
      (r.accuracy.overall === best.accuracy.overall && r.frechetDistance < best.frechetDistance)
    ) {
      best = r;
    }
  }
  return best;
}

const withoutImages = (e: GuidanceEvaluation) => ({
  ...e,
  results: e.results.map(({ images: _images, labels: _labels, ...rest }) => rest),
});

export async function runSideBySide(
  args: EvalArgs,
  target: {
    unet: EpsModel;
    schedule: Schedule;
    judge: Judge;
    classifier: NoisyClassifier;
    steps: number;
    provenance: Record<string, unknown>;
  },
  format: TableFormat,
  backend: string,
  argv: string[],
  io: CliIo,
): Promise<void> {
  let current: 'classifier-free' | 'classifier' | null = null;
  const result = await compareGuidance({
    unet: target.unet,
    schedule: target.schedule,
    judge: target.judge.classifier,
    reference: target.judge.reference,
    cfgScales: args.scales,
    classifierScales: args.classifierGuidance.classifierScales,
    classifier: target.classifier,
    samplesPerScale: args.n,
    sampler: args.sampler,
    ...(args.variance !== null ? { variance: args.variance } : {}),
    steps: target.steps,
    eta: args.eta,
    snr: args.snr,
    langevinSteps: args.langevinSteps,
    clipX0: args.clipX0,
    seed: args.seed,
    batch: args.batch,
    onScale: (method, r) => {
      if (method !== current) {
        current = method;
        io.stdout(
          method === 'classifier-free'
            ? 'classifier-free guidance: ε̃ = ε_u + s·(ε_c − ε_u)\n'
            : "classifier guidance (the model's null class): ε' = ε_u − √(1−ᾱ_t)·s·∇log p(y | x_t, t)\n",
        );
        io.stdout(format.header);
      }
      io.stdout(format.row(r));
    },
  });
  const best = bestByAccuracy(result.classifier.results);
  if (best) {
    io.stdout(
      `classifier guidance's best scale: s = ${best.guidanceScale}, judge accuracy ` +
        `${(100 * best.accuracy.overall).toFixed(1)}%, FD ${best.frechetDistance.toFixed(1)}\n`,
    );
  }
  if (args.json !== null) {
    const out = {
      ...target.provenance,
      guidanceMethod: 'both (side by side)',
      classifierFree: withoutImages(result.classifierFree),
      classifier: withoutImages(result.classifier),
      bestClassifierScale: best?.guidanceScale ?? null,
      createdAt: new Date().toISOString(),
      command: commandLine('eval', argv),
      gitCommit: gitCommit(),
      machine: machine(backend),
    };
    await writeFile(args.json, `${JSON.stringify(out, null, 2)}\n`);
    io.stderr(`wrote ${args.json}\n`);
  }
}
