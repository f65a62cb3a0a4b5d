// `sample --model <cascade folder>`: the cascade's 28×28 samples (Ho et al. 2021), with the same
// sampler options as a pixel model plus --aug-level and --sr (see sample.ts's usage).
import { writeFile } from 'node:fs/promises';
import { nodeWasmDir } from '../engine/backends/nodeWasm';
import { initBackend } from '../engine/backends/select';
import { disposeCascade, type Cascade, type SrStage } from '../engine/cascade/cascade';
import { loadCascadeDir } from '../engine/cascade/fsCascade';
import { sampleCascade } from '../engine/cascade/sampleCascade';
import { defaultAugLevel } from '../engine/cascade/stage';
import { validateAugLevel } from '../diffusion/conditioningAugmentation';
import { encodeNpy, encodePngGrid, toUnitInterval } from '../engine/imageio';
import type { SampleArgs } from './commands/sample';
import { samplerSummary, samplingRunOptions } from './samplerFlags';
import { UsageError } from './types';

/** The SR stage --sr picks, checked against what the folder holds. */
export function pickSrStage(c: Cascade, which: 'aug' | 'noaug', dir: string): SrStage {
  if (which === 'aug') return c.sr;
  if (!c.srNoAug) throw new UsageError(`--sr noaug: ${dir} has no sr-noaug/ model`);
  return c.srNoAug;
}

/** --aug-level checked against the stage's augmentation (its default when not given). */
export function augLevelFor(stage: SrStage, given: number | null): number {
  const level = given ?? defaultAugLevel(stage.info.augmentation);
  try {
    return validateAugLevel(stage.info.augmentation, level);
  } catch (e) {
    throw new UsageError(`--aug-level: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkArgs(args: SampleArgs, c: Cascade): void {
  if (args.classifierGuidance.method !== 'classifier-free') {
    throw new UsageError('a cascade samples with classifier-free guidance only');
  }
  if (args.variance === 'learned') throw new UsageError('--variance learned: cascades learn no Σ');
  const K = c.base.config.numClasses;
  if (args.classLabel !== null && args.classLabel >= K) {
    throw new UsageError(`--class must be in [0, ${K - 1}] (got ${args.classLabel})`);
  }
  if (args.steps !== null && args.steps > c.schedule.T) {
    throw new UsageError(`--steps must be <= T = ${c.schedule.T} (got ${args.steps})`);
  }
}

export async function sampleCascadeToFile(args: SampleArgs): Promise<string> {
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const cascade = await loadCascadeDir(args.model);
  try {
    checkArgs(args, cascade);
    const stage = pickSrStage(cascade, args.sr, args.model);
    const augLevel = augLevelFor(stage, args.augLevel);
    if (args.truncated && stage.info.augmentation !== 'noise') {
      throw new UsageError('--truncated needs an SR model trained with noise augmentation');
    }
    if (args.truncated && args.sampler !== 'ddim' && args.sampler !== 'ddpm') {
      throw new UsageError('--truncated works with --sampler ddim or ddpm');
    }
    const start = performance.now();
    const out = await sampleCascade(cascade.base, stage, cascade.schedule, {
      ...samplingRunOptions(args),
      clipX0: args.clipX0,
      classes: args.classLabel === null ? null : new Array<number>(args.n).fill(args.classLabel),
      guidanceScale: args.guidance,
      augLevel,
      truncated: args.truncated,
    });
    const seconds = (performance.now() - start) / 1000;
    const { imageSize: s, inChannels: c } = stage.unet.config;
    const bytes =
      args.format === 'npy'
        ? encodeNpy(toUnitInterval(out.x), [args.n, s, s, c])
        : encodePngGrid(out.x, args.n, s, s, c, { range: [-1, 1] });
    await writeFile(args.out, bytes);
    const label = args.classLabel === null ? 'null' : String(args.classLabel);
    return (
      `sample: cascade ${args.n} images ${s}x${s}x${c} (base ${cascade.base.config.imageSize}x` +
      `${cascade.base.config.imageSize} -> sr${args.sr === 'noaug' ? '-noaug' : ''}, ` +
      `${stage.info.augmentation} augmentation, level ${augLevel}` +
      `${args.truncated ? `, truncated at t = ${out.levelUsed}` : ''}), ` +
      `${samplerSummary(args, cascade.schedule.T)} per stage, class ${label}, s=${args.guidance}, ` +
      `seed ${args.seed}, ${choice.backend}: ${seconds.toFixed(2)} s, ` +
      `${(seconds / args.n).toFixed(3)} s/image -> ${args.out}`
    );
  } finally {
    disposeCascade(cascade);
  }
}
