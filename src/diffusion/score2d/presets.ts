// The 2-D data sets, each defined exactly as a Gaussian mixture, so its noised densities and scores
// are known in closed form (gmm.ts). `mixture` is Song & Ermon 2019's example (Sec. 3.2, Fig. 3):
// p = 0.2·N((−5,−5), I) + 0.8·N((5,5), I). The others are the usual toy sets, written as mixtures of
// small Gaussians placed along the shape ("a point set seen as a mixture of N(x_i, s² I)").
import type { Gmm } from './gmm';

export const PRESET_NAMES = ['mixture', 'moons', 'ring', 'spiral', 'checkerboard'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface Preset {
  /** A named preset, or 'drawn' for points drawn by hand. */
  name: PresetName | 'drawn';
  /** What the UI says it is. */
  label: string;
  /** The exact definition, in words and numbers. */
  definition: string;
  gmm: Gmm;
  /** Half-width of the square view [−extent, extent]² that shows it. */
  extent: number;
  /** Names of the reported components (groups), e.g. "(5, 5)". */
  groupNames: string[];
}

export function isPresetName(v: string): v is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(v);
}

/** Builds a mixture from centres, one shared std and equal weights inside each group. */
function pointMixture(
  centres: [number, number][],
  std: number,
  groupOf: (i: number) => number,
  groupWeights: number[],
): Gmm {
  const K = centres.length;
  const counts = new Array(groupWeights.length).fill(0);
  for (let i = 0; i < K; i++) counts[groupOf(i)]++;
  const g: Gmm = {
    means: new Float64Array(2 * K),
    variances: new Float64Array(K).fill(std * std),
    weights: new Float64Array(K),
    groups: new Int32Array(K),
  };
  centres.forEach(([x, y], i) => {
    const grp = groupOf(i);
    g.means[2 * i] = x;
    g.means[2 * i + 1] = y;
    g.groups[i] = grp;
    g.weights[i] = groupWeights[grp] / counts[grp];
  });
  return g;
}

function mixture(): Preset {
  return {
    name: 'mixture',
    label: 'mixture: 0.2·N((−5,−5), I) + 0.8·N((5,5), I)',
    definition: 'p = 0.2·N((−5,−5), I) + 0.8·N((5,5), I) (Song & Ermon 2019, Sec. 3.2)',
    gmm: {
      means: Float64Array.from([-5, -5, 5, 5]),
      variances: Float64Array.from([1, 1]),
      weights: Float64Array.from([0.2, 0.8]),
      groups: Int32Array.from([0, 1]),
    },
    extent: 9,
    groupNames: ['(−5, −5)', '(5, 5)'],
  };
}

const MOON_POINTS = 48;
function moons(): Preset {
  // sklearn's make_moons shape, scaled by 2.5 and centred: upper arc (cos θ, sin θ), lower arc
  // (1 − cos θ, 0.5 − sin θ), θ ∈ [0, π]; each point blurred by N(0, 0.25² I).
  const c: [number, number][] = [];
  for (let i = 0; i < MOON_POINTS; i++) {
    const th = (Math.PI * i) / (MOON_POINTS - 1);
    c.push([2.5 * (Math.cos(th) - 0.5), 2.5 * (Math.sin(th) - 0.25)]);
  }
  for (let i = 0; i < MOON_POINTS; i++) {
    const th = (Math.PI * i) / (MOON_POINTS - 1);
    c.push([2.5 * (1 - Math.cos(th) - 0.5), 2.5 * (0.5 - Math.sin(th) - 0.25)]);
  }
  return {
    name: 'moons',
    label: 'two moons',
    definition: `two arcs of ${MOON_POINTS} points each (make_moons ×2.5), each point N(xᵢ, 0.25² I), weights ½ per moon`,
    gmm: pointMixture(c, 0.25, (i) => (i < MOON_POINTS ? 0 : 1), [0.5, 0.5]),
    extent: 5,
    groupNames: ['upper moon', 'lower moon'],
  };
}

function ring(): Preset {
  const c: [number, number][] = [];
  for (let k = 0; k < 8; k++) {
    const th = (2 * Math.PI * k) / 8;
    c.push([4 * Math.cos(th), 4 * Math.sin(th)]);
  }
  return {
    name: 'ring',
    label: 'ring of 8 Gaussians',
    definition: '8 equal Gaussians N((4 cos 2πk/8, 4 sin 2πk/8), 0.3² I)',
    gmm: pointMixture(c, 0.3, (i) => i, new Array(8).fill(1 / 8)),
    extent: 6,
    groupNames: c.map((_, k) => `${45 * k}°`),
  };
}

const SPIRAL_POINTS = 96;
function spiral(): Preset {
  // An Archimedean spiral r = 0.45 θ for θ ∈ [π/2, 3π], points evenly spaced in θ.
  const c: [number, number][] = [];
  for (let i = 0; i < SPIRAL_POINTS; i++) {
    const th = Math.PI / 2 + (2.5 * Math.PI * i) / (SPIRAL_POINTS - 1);
    c.push([0.45 * th * Math.cos(th), 0.45 * th * Math.sin(th)]);
  }
  return {
    name: 'spiral',
    label: 'spiral',
    definition: `${SPIRAL_POINTS} points on r = 0.45θ, θ ∈ [π/2, 3π], each N(xᵢ, 0.2² I), equal weights`,
    gmm: pointMixture(c, 0.2, () => 0, [1]),
    extent: 6,
    groupNames: ['spiral'],
  };
}

function checkerboard(): Preset {
  // A 4×4 board of 2×2 squares on [−4, 4]²; the 8 "black" squares each hold a 4×4 grid of
  // Gaussians (spacing 0.5, std 0.25), so the density is near-uniform inside a square.
  const c: [number, number][] = [];
  const groupOfIndex: number[] = [];
  let square = 0;
  for (let r = 0; r < 4; r++) {
    for (let col = 0; col < 4; col++) {
      if ((r + col) % 2 !== 0) continue;
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          c.push([-4 + 2 * col + 0.25 + 0.5 * j, -4 + 2 * r + 0.25 + 0.5 * i]);
          groupOfIndex.push(square);
        }
      }
      square++;
    }
  }
  return {
    name: 'checkerboard',
    label: 'checkerboard',
    definition:
      '8 squares of a 4×4 board on [−4, 4]², each a 4×4 grid of N(xᵢ, 0.25² I), equal weights',
    gmm: pointMixture(c, 0.25, (i) => groupOfIndex[i], new Array(8).fill(1 / 8)),
    extent: 5.5,
    groupNames: Array.from({ length: 8 }, (_, k) => `square ${k + 1}`),
  };
}

export function makePreset(name: PresetName): Preset {
  switch (name) {
    case 'mixture':
      return mixture();
    case 'moons':
      return moons();
    case 'ring':
      return ring();
    case 'spiral':
      return spiral();
    case 'checkerboard':
      return checkerboard();
  }
}

/** Maximum number of points a drawn data set may have. */
export const MAX_DRAWN_POINTS = 400;

/**
 * Points drawn by hand, as an equal-weight mixture of N(xᵢ, std² I). Throws a RangeError when
 * there are none, too many, or any coordinate is not finite.
 */
export function drawnPreset(points: readonly (readonly [number, number])[], std = 0.3): Preset {
  if (points.length === 0) throw new RangeError('draw at least one point');
  if (points.length > MAX_DRAWN_POINTS) {
    throw new RangeError(`at most ${MAX_DRAWN_POINTS} points (got ${points.length})`);
  }
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError('points must be finite');
  }
  const extent = Math.max(4, ...points.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y)) + 1.5));
  return {
    name: 'drawn',
    label: `your ${points.length} points`,
    definition: `your ${points.length} points, each N(xᵢ, ${std}² I), equal weights`,
    gmm: pointMixture(
      points.map(([x, y]) => [x, y]),
      std,
      () => 0,
      [1],
    ),
    extent,
    groupNames: ['your points'],
  };
}

/**
 * σ_max "scaled to the data": as large as the largest distance between two data points (Song &
 * Ermon 2020, Technique 1), here between component means plus 3 standard deviations.
 */
export function sigmaMaxFor(g: Gmm): number {
  const K = g.weights.length;
  let d2 = 0;
  let vmax = 0;
  for (let i = 0; i < K; i++) {
    vmax = Math.max(vmax, g.variances[i]);
    for (let j = i + 1; j < K; j++) {
      const dx = g.means[2 * i] - g.means[2 * j];
      const dy = g.means[2 * i + 1] - g.means[2 * j + 1];
      d2 = Math.max(d2, dx * dx + dy * dy);
    }
  }
  return Math.sqrt(d2) + 3 * Math.sqrt(vmax);
}
