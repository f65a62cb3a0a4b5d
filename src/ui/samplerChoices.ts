// The samplers the Reverse sampling view offers, with what each one's settings are. Keyed by the
// engine's SamplerKind, so a sampler added there must be described here (the type checks it), and
// everything that lists samplers (the side-by-side comparison, its share-link keys) follows.
import type { SamplingRequest } from '../worker/api';

export type SamplerId = SamplingRequest['sampler'];

export interface SamplerChoice {
  /** For a select: the name and the paper. */
  label: string;
  /** For captions. */
  short: string;
  /** Whether the step count is chosen (else the sampler runs all T training steps). */
  chooseSteps: boolean;
  /** Whether η (DDIM's noise, Song et al. 2021 eq. 16) applies. */
  eta: boolean;
  /** Whether the choice σ² = β or β̃ applies (Ho et al. 2020, Sec. 3.2). */
  variance: boolean;
}

export const SAMPLER_CHOICES: Record<SamplerId, SamplerChoice> = {
  ddim: {
    label: 'DDIM (Song et al. 2021)',
    short: 'DDIM',
    chooseSteps: true,
    eta: true,
    variance: false,
  },
  ddpm: {
    label: 'DDPM (Ho et al. 2020), all T steps',
    short: 'DDPM',
    chooseSteps: false,
    eta: false,
    variance: true,
  },
  'euler-maruyama': {
    label: 'Euler–Maruyama, reverse VP-SDE (Song et al. 2021)',
    short: 'Euler–Maruyama',
    chooseSteps: true,
    eta: false,
    variance: false,
  },
  'pf-ode': {
    label: 'Probability-flow ODE, Heun (Song et al. 2021)',
    short: 'PF-ODE',
    chooseSteps: true,
    eta: false,
    variance: false,
  },
  pc: {
    label: 'Predictor–corrector (Song et al. 2021)',
    short: 'PC',
    chooseSteps: true,
    eta: false,
    variance: false,
  },
  'annealed-langevin': {
    label: 'Annealed Langevin (Song & Ermon 2019)',
    short: 'Annealed Langevin',
    chooseSteps: true,
    eta: false,
    variance: false,
  },
};

export const SAMPLER_IDS = Object.keys(SAMPLER_CHOICES) as SamplerId[];

export function isSamplerId(v: string): v is SamplerId {
  return Object.prototype.hasOwnProperty.call(SAMPLER_CHOICES, v);
}
