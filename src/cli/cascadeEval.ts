// `eval --model <cascade folder>`: judge accuracy, Fréchet distance and diversity of a cascade's
// final 28×28 samples per guidance scale, beside the plainly upsampled base samples and the SR
// model trained without augmentation, all from the same base samples (evaluateCascade.ts).
import { writeFile } from 'node:fs/promises';
import { nodeWasmDir } from '../engine/backends/nodeWasm';
import { initBackend } from '../engine/backends/select';
import { disposeCascade } from '../engine/cascade/cascade';
import { evaluateCascade, type CascadeScore } from '../engine/cascade/evaluateCascade';
import { loadCascadeDir } from '../engine/cascade/fsCascade';
import { loadJudgeDir } from '../engine/judge/fsStore';
import { loadJudge } from '../engine/judge/load';
import { augLevelFor } from './cascadeSample';
import { judgeDirFor, type EvalArgs } from './commands/evaluate';
import { commandLine, gitCommit, machine } from './provenance';
import { samplerSummary } from './samplerFlags';
import { UsageError, type CliIo } from './types';

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);

export const CASCADE_TABLE_HEADER =
  `${'s'.padStart(5)}  ${'output'.padEnd(9)}  ${'aug'.padStart(5)}  ${'accuracy'.padStart(8)}  ` +
  `${'FD'.padStart(9)}  ${'diversity'.padStart(9)}  ${'s/image'.padStart(8)}\n`;

export function cascadeRow(r: CascadeScore): string {
  const div = r.diversity.mean === null ? '-' : r.diversity.mean.toFixed(3);
  return (
    `${String(r.guidanceScale).padStart(5)}  ${r.output.padEnd(9)}  ${String(r.augLevel).padStart(5)}  ` +
    `${pct(r.accuracy.overall).padStart(8)}  ${r.frechetDistance.toFixed(3).padStart(9)}  ` +
    `${div.padStart(9)}  ${r.secondsPerImage.toFixed(4).padStart(8)}\n`
  );
}

export async function evaluateCascadeCli(
  parsed: EvalArgs,
  argv: string[],
  io: CliIo,
): Promise<void> {
  if (parsed.classifierGuidance.method !== 'classifier-free') {
    throw new UsageError('a cascade is evaluated with classifier-free guidance only');
  }
  if (parsed.nfeTable !== null) throw new UsageError('--nfe is not available for cascades');
  if (parsed.variance === 'learned')
    throw new UsageError('--variance learned: cascades learn no Σ');
  const choice = await initBackend(parsed.backend, { wasmPaths: nodeWasmDir() });
  const cascade = await loadCascadeDir(parsed.model);
  // Without --judge, the judge of the cascade's data set (3 channels: CIFAR-10, 1: MNIST).
  const dataset = cascade.base.config.inChannels === 3 ? 'cifar10' : 'mnist';
  const args = { ...parsed, judge: parsed.judge ?? judgeDirFor(dataset) };
  const judge = loadJudge(await loadJudgeDir(args.judge));
  try {
    const k = judge.classifier.config.numClasses;
    if (cascade.base.config.numClasses !== k) {
      throw new UsageError(
        `the cascade has ${cascade.base.config.numClasses} classes, the judge ${k}`,
      );
    }
    if (args.n < 2 * k) throw new UsageError(`--n must be >= ${2 * k} (two images per class)`);
    if (args.steps !== null && args.steps > cascade.schedule.T) {
      throw new UsageError(`--steps must be <= T = ${cascade.schedule.T} (got ${args.steps})`);
    }
    const augLevel = augLevelFor(cascade.sr, args.augLevel);
    io.stderr(
      `eval: cascade ${args.model} (base ${cascade.base.config.imageSize}x${cascade.base.config.imageSize}, ` +
        `sr trained with ${cascade.sr.info.augmentation} augmentation ${cascade.sr.info.augStrength}, ` +
        `sampled at level ${augLevel}${cascade.srNoAug ? '; sr-noaug' : ''}); ${args.n} images per scale, ` +
        `${samplerSummary(args, cascade.schedule.T)} per stage, seed ${args.seed}, ${choice.backend}\n`,
    );
    io.stdout(CASCADE_TABLE_HEADER);
    const scores = await evaluateCascade({
      cascade,
      judge: judge.classifier,
      reference: judge.reference,
      scales: args.scales,
      samplesPerScale: args.n,
      sampler: args.sampler,
      ...(args.steps !== null ? { steps: args.steps } : {}),
      ...(args.variance !== null ? { variance: args.variance } : {}),
      eta: args.eta,
      snr: args.snr,
      langevinSteps: args.langevinSteps,
      clipX0: args.clipX0,
      seed: args.seed,
      batch: args.batch,
      augLevel,
      onScore: (r) => void io.stdout(cascadeRow(r)),
    });
    if (args.json !== null) {
      const out = {
        model: args.model,
        judge: args.judge,
        judgeWeightsCrc32: judge.manifest.weightsCrc32,
        scores,
        createdAt: new Date().toISOString(),
        command: commandLine('eval', argv),
        gitCommit: gitCommit(),
        machine: machine(choice.backend),
      };
      await writeFile(args.json, `${JSON.stringify(out, null, 2)}\n`);
      io.stderr(`wrote ${args.json}\n`);
    }
  } finally {
    judge.classifier.dispose();
    disposeCascade(cascade);
  }
}
