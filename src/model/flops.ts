// Analytic forward-pass FLOPs per image, counting one multiply-add as 2 FLOPs (the convention of
// most papers and of PyTorch's flop counters times 2). Counted: every convolution, dense layer and
// the two attention matMuls (q k^T and softmax(.) v). Not counted: bias adds, GroupNorm, SiLU,
// softmax, residual adds, concatenation and upsampling copies; these are O(activations) rather
// than O(activations x channels) and add only a few per cent for the presets here.
import { buildArchitecture } from './architecture';
import { gridChannels, gridSize, inputGridChannels, type UNetConfig } from './config';

export interface FlopsBreakdown {
  /** All convolutions (3x3, 1x1 skips, resampling convs, conv_in / conv_out). */
  conv: number;
  /** Time-embedding MLP and per-block embedding projections. */
  dense: number;
  /** Attention blocks: q/k/v and output projections plus the two N x N matMuls. */
  attention: number;
  total: number;
}

const convFlops = (size: number, k: number, cin: number, cout: number): number =>
  2 * size * size * k * k * cin * cout;

export function flopsBreakdown(config: UNetConfig): FlopsBreakdown {
  const arch = buildArchitecture(config);
  const { baseChannels: base } = config;
  const S = gridSize(config);
  const inChannels = gridChannels(config);
  const T = arch.tembDim;
  let conv =
    convFlops(S, 3, inputGridChannels(config), base) + convFlops(S, 3, arch.outCh, inChannels);
  let dense = 2 * (base * T + T * T);
  let attention = 0;
  for (const u of [...arch.down, ...arch.mid, ...arch.up]) {
    if (u.kind === 'res') {
      conv += convFlops(u.size, 3, u.inCh, u.outCh) + convFlops(u.size, 3, u.outCh, u.outCh);
      if (u.inCh !== u.outCh) conv += convFlops(u.size, 1, u.inCh, u.outCh);
      dense += 2 * T * u.outCh;
      if (u.attn) {
        const n = u.size * u.size;
        const c = u.outCh;
        attention += 2 * n * c * 4 * c + 2 * 2 * n * n * c;
      }
    } else {
      conv += convFlops(u.outSize, 3, u.ch, u.ch);
    }
  }
  return { conv, dense, attention, total: conv + dense + attention };
}

export function flopsPerImage(config: UNetConfig): number {
  return flopsBreakdown(config).total;
}
