// The block structure of the DDPM U-Net (Ho et al. 2020, Appendix B; `unet.py` in their code),
// computed once from a config and shared by parameter creation, the forward pass, parameter
// counting and FLOP counting, so the four can never disagree.
//
//   conv_in -> for each level: numResBlocks x [res (+ attn)], then downsample (not on the last)
//           -> mid: res, attn, res
//           -> for each level, reversed: (numResBlocks + 1) x [concat skip, res (+ attn)],
//              then upsample (not on level 0)
//           -> GroupNorm -> SiLU -> conv_out
// A skip is saved after conv_in and after every down-path unit; the up path pops one per res block.
import { levelSizes, timeEmbedDim, validateConfig, type UNetConfig } from './config';

export interface ResUnit {
  kind: 'res';
  /** Parameter prefix, e.g. `down.0.res.1`. */
  name: string;
  inCh: number;
  outCh: number;
  /** Spatial size (H = W) of the block's input and output. */
  size: number;
  /** Channels of the skip concatenated before the block (up path only; included in inCh). */
  skipCh: number;
  /** Parameter prefix of the attention block that follows, if any. */
  attn: string | null;
}

export interface ResampleUnit {
  kind: 'down' | 'up';
  name: string;
  ch: number;
  inSize: number;
  outSize: number;
}

export type Unit = ResUnit | ResampleUnit;

export interface Architecture {
  config: UNetConfig;
  tembDim: number;
  /** Down path; each unit's output is pushed on the skip stack (after conv_in's). */
  down: Unit[];
  /** Middle: res (+ attn), res. */
  mid: ResUnit[];
  /** Up path; each res unit pops a skip and concatenates it on the channel axis first. */
  up: Unit[];
  /** Channels entering norm_out / conv_out. */
  outCh: number;
}

export function buildArchitecture(config: UNetConfig): Architecture {
  validateConfig(config);
  const { baseChannels: base, channelMults: mults, numResBlocks } = config;
  const sizes = levelSizes(config);
  const attnAt = new Set(config.attentionResolutions);
  const down: Unit[] = [];
  const skips: number[] = [base];
  let ch = base;
  mults.forEach((m, level) => {
    const size = sizes[level];
    for (let i = 0; i < numResBlocks; i++) {
      const name = `down.${level}.res.${i}`;
      const attn = attnAt.has(size) ? `down.${level}.attn.${i}` : null;
      down.push({ kind: 'res', name, inCh: ch, outCh: base * m, size, skipCh: 0, attn });
      ch = base * m;
      skips.push(ch);
    }
    if (level !== mults.length - 1) {
      down.push({
        kind: 'down',
        name: `down.${level}.downsample`,
        ch,
        inSize: size,
        outSize: size / 2,
      });
      skips.push(ch);
    }
  });
  const midSize = sizes[sizes.length - 1];
  const mid: ResUnit[] = [
    {
      kind: 'res',
      name: 'mid.res.0',
      inCh: ch,
      outCh: ch,
      size: midSize,
      skipCh: 0,
      attn: 'mid.attn',
    },
    { kind: 'res', name: 'mid.res.1', inCh: ch, outCh: ch, size: midSize, skipCh: 0, attn: null },
  ];
  const up: Unit[] = [];
  for (let level = mults.length - 1; level >= 0; level--) {
    const size = sizes[level];
    for (let i = 0; i < numResBlocks + 1; i++) {
      const skipCh = skips.pop();
      if (skipCh === undefined) throw new Error('internal: skip stack underflow');
      const name = `up.${level}.res.${i}`;
      const attn = attnAt.has(size) ? `up.${level}.attn.${i}` : null;
      const outCh = base * mults[level];
      up.push({ kind: 'res', name, inCh: ch + skipCh, outCh, size, skipCh, attn });
      ch = outCh;
    }
    if (level !== 0) {
      up.push({ kind: 'up', name: `up.${level}.upsample`, ch, inSize: size, outSize: size * 2 });
    }
  }
  if (skips.length !== 0) throw new Error('internal: unused skips');
  return { config, tembDim: timeEmbedDim(config), down, mid, up, outCh: ch };
}
