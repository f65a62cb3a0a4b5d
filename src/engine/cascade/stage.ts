// What a cascade is made of (Ho et al. 2021, Sec. 2): a class-conditional base model at low
// resolution and a super-resolution (SR) model conditioned on its upsampled output. Each stage is
// an ordinary checkpoint (model.json + weights.bin) in its own folder, with a `stage.json` beside
// it that says which stage it is and how it was augmented:
//   models/mnist-cascade/base/     the 14×14 base model (classifier-free guidance)
//   models/mnist-cascade/sr/       the 28×28 SR model trained WITH conditioning augmentation
//   models/mnist-cascade/sr-noaug/ the same SR model trained WITHOUT (for the comparison)
// Pure TypeScript: shared by the worker, the CLI and the UI.
import {
  AUGMENTATIONS,
  validateAugStrength,
  type AugmentationKind,
} from '../../diffusion/conditioningAugmentation';
import type { UNetConfig } from '../../model/config';

export const CASCADE_STAGE_FORMAT = 'diffusion-playground-cascade-stage';
export const STAGE_FILE = 'stage.json';
export const CASCADE_STAGES = ['base', 'sr'] as const;
export type CascadeStageKind = (typeof CASCADE_STAGES)[number];

/** The folders of a cascade; sr-noaug is optional (only for the with/without comparison). */
export const CASCADE_DIRS = { base: 'base', sr: 'sr', srNoAug: 'sr-noaug' } as const;

export interface CascadeStageInfo {
  format: typeof CASCADE_STAGE_FORMAT;
  stage: CascadeStageKind;
  /** SR only: the conditioning augmentation it was trained with, and its strength. */
  augmentation: AugmentationKind;
  augStrength: number;
  /** The resolution ratio to the stage below (SR) or to the data set (base): 2. */
  factor: number;
}

/**
 * The sampling-time level used when none is chosen: for noise augmentation a = 0.1 (s = 100 of
 * T = 1000, ᾱ_s ≈ 0.87), a light noise that washes out the base model's small artefacts; blur and
 * none: 0 (CDM samples its blur-augmented models without blur).
 */
export const DEFAULT_NOISE_AUG_LEVEL = 0.1;

export function defaultAugLevel(kind: AugmentationKind): number {
  return kind === 'noise' ? DEFAULT_NOISE_AUG_LEVEL : 0;
}

export class CascadeError extends Error {
  override name = 'CascadeError';
}

/** Validates a parsed stage.json; `where` names the file in messages. */
export function validateStageInfo(json: unknown, where: string): CascadeStageInfo {
  const fail = (what: string): never => {
    throw new CascadeError(`${where}: ${what}`);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('not a JSON object');
  const r = json as Record<string, unknown>;
  if (r.format !== CASCADE_STAGE_FORMAT) fail(`format must be "${CASCADE_STAGE_FORMAT}"`);
  const stage = r.stage;
  if (!CASCADE_STAGES.includes(stage as CascadeStageKind)) fail('stage must be "base" or "sr"');
  const augmentation = r.augmentation;
  if (!AUGMENTATIONS.includes(augmentation as AugmentationKind)) {
    fail(`augmentation must be one of ${AUGMENTATIONS.join(', ')}`);
  }
  const augStrength = r.augStrength;
  if (typeof augStrength !== 'number') fail('augStrength must be a number');
  try {
    validateAugStrength(augmentation as AugmentationKind, augStrength as number);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (stage === 'base' && augmentation !== 'none') fail('a base stage has augmentation "none"');
  const factor = r.factor;
  if (factor !== 2) fail('factor must be 2 (the only cascade ratio supported)');
  return {
    format: CASCADE_STAGE_FORMAT,
    stage: stage as CascadeStageKind,
    augmentation: augmentation as AugmentationKind,
    augStrength: augStrength as number,
    factor: 2,
  };
}

/**
 * Checks that the two stages' models fit together: the base is class-conditional and
 * unconditioned on images; the SR model takes a condition image of the base's channels at
 * factor × its size, and conditions on s exactly when it was trained with noise augmentation.
 */
export function checkStagesFit(
  base: { config: UNetConfig; info: CascadeStageInfo },
  sr: { config: UNetConfig; info: CascadeStageInfo },
  label = 'sr',
): void {
  const fail = (what: string): never => {
    throw new CascadeError(what);
  };
  if (base.info.stage !== 'base') fail(`base/${STAGE_FILE} says stage "${base.info.stage}"`);
  if (sr.info.stage !== 'sr') fail(`${label}/${STAGE_FILE} says stage "${sr.info.stage}"`);
  const b = base.config;
  const s = sr.config;
  if ((b.condChannels ?? 0) !== 0) fail('the base model must not take a condition image');
  if (b.numClasses === 0) fail('the base model must be class-conditional');
  if (s.imageSize !== b.imageSize * sr.info.factor) {
    fail(
      `the ${label} model is ${s.imageSize}×${s.imageSize}, not ${sr.info.factor}× the base's ` +
        `${b.imageSize}×${b.imageSize}`,
    );
  }
  if (s.inChannels !== b.inChannels || (s.condChannels ?? 0) !== b.inChannels) {
    fail(
      `the ${label} model must take ${b.inChannels} image and ${b.inChannels} condition channels`,
    );
  }
  if ((s.augLevelCond === true) !== (sr.info.augmentation === 'noise')) {
    fail(`the ${label} model must take the level s exactly when trained with noise augmentation`);
  }
}
