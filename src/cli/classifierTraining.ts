// What `train-classifier` and `train-noisy-classifier` share: the loop flags (engine/training/
// classifierLoop.ts), the backend start, the overwrite check, and the loop with its progress lines.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeWasmDir } from '../engine/backends/nodeWasm';
import { initBackend, type BackendChoice } from '../engine/backends/select';
import { MODEL_JSON_FILE } from '../engine/checkpoint/types';
import type { ClassifierLoopOptions, ClassifierStepStats } from '../engine/training/classifierLoop';
import { optionalInteger, parseNumberFlag } from './args';
import { UsageError, type CliIo } from './types';

export const LOOP_FLAG_OPTIONS = {
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  minutes: { type: 'string' },
  seed: { type: 'string' },
} as const;

/** The usage lines of LOOP_FLAG_OPTIONS; `defaults` as printed (e.g. '4 / 5'). */
export function loopFlagsUsage(d: Record<'epochs' | 'batch' | 'lr' | 'warmup', string>): string {
  return `  --epochs N             passes over the training images (default ${d.epochs})
  --batch B              images per step (default ${d.batch})
  --lr X                 peak Adam learning rate (default ${d.lr})
  --warmup N             linear warm-up steps before the cosine decay (default ${d.warmup})
  --minutes M            wall-clock budget: the cosine follows max(steps, time) done and
                         training stops at M minutes even before --epochs (default none)
`;
}

type LoopFlagValues = Partial<Record<keyof typeof LOOP_FLAG_OPTIONS, string>>;

/** Validates the loop flags. Throws UsageError. */
export function parseLoopFlags(
  v: LoopFlagValues,
  d: ClassifierLoopOptions,
  minBatch = 1,
): ClassifierLoopOptions {
  return {
    epochs: optionalInteger('--epochs', v.epochs, d.epochs, 1, 1000),
    batchSize: optionalInteger('--batch', v.batch, d.batchSize, minBatch, 4096),
    learningRate:
      v.lr === undefined ? d.learningRate : parseNumberFlag('--lr', v.lr, { above: 0, max: 1 }),
    warmupSteps: optionalInteger('--warmup', v.warmup, d.warmupSteps, 0),
    timeBudgetSeconds:
      v.minutes === undefined
        ? d.timeBudgetSeconds
        : 60 * parseNumberFlag('--minutes', v.minutes, { above: 0, max: 10_000 }),
    seed: optionalInteger('--seed', v.seed, d.seed, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Refuses to overwrite a model folder without --force. */
export function refuseOverwrite(out: string, force: boolean, what: string): void {
  if (!force && existsSync(path.join(out, MODEL_JSON_FILE))) {
    throw new UsageError(`${out} already holds ${what}; pass --force to overwrite it`);
  }
}

/** Starts the tfjs backend, warning on stderr when it fell back to another. */
export async function startBackend(backend: 'wasm' | 'cpu', io: CliIo): Promise<BackendChoice> {
  const choice = await initBackend(backend, { wasmPaths: nodeWasmDir() });
  if (choice.backend !== backend) {
    io.stderr(
      `warning: the ${backend} backend is unavailable (${choice.fallbackReason ?? 'unknown'}); ` +
        `using ${choice.backend}\n`,
    );
  }
  return choice;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export function progressLine(s: ClassifierStepStats, started: number): string {
  const elapsed = (performance.now() - started) / 1000;
  return (
    `step ${s.step}/${s.totalSteps}  epoch ${s.epoch.toFixed(2)}  loss ${s.loss.toFixed(4)}  ` +
    `acc ${pct(s.accuracy)}  lr ${s.learningRate.toExponential(2)}  ` +
    `${s.imagesPerSecond.toFixed(0)} img/s  elapsed ${elapsed.toFixed(1)}s\n`
  );
}

interface SteppedTrainer {
  readonly done: boolean;
  readonly stepCount: number;
  step(): void;
  flush(): Promise<ClassifierStepStats | null>;
}

/** Runs the trainer to the end, a progress line every `logEvery` steps; the wall time in s. */
export async function runTrainingLoop(
  trainer: SteppedTrainer,
  logEvery: number,
  io: CliIo,
): Promise<number> {
  const started = performance.now();
  while (!trainer.done) {
    trainer.step();
    if (trainer.stepCount % logEvery === 0 || trainer.done) {
      const stats = await trainer.flush();
      if (stats) io.stdout(progressLine(stats, started));
    }
  }
  return (performance.now() - started) / 1000;
}
