import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { UNetConfig } from './config';
import { flopsBreakdown } from './flops';
import { countParams, createParams, disposeParams, paramSpecs } from './params';

// One level, so no resampling; mid attention only. Small enough to count by hand.
const micro: UNetConfig = {
  imageSize: 4,
  inChannels: 1,
  baseChannels: 4,
  channelMults: [1],
  numResBlocks: 1,
  attentionResolutions: [],
  groups: 2,
  dropout: 0,
  numClasses: 0,
};

describe('parameter count', () => {
  it('matches a hand count for a one-level config', () => {
    const T = 16; // 4 * base
    const temb = 4 * T + T + (T * T + T); // 352
    const convIn = 9 * 1 * 4 + 4; // 40
    const res44 = 2 * 4 + (9 * 4 * 4 + 4) + (T * 4 + 4) + 2 * 4 + (9 * 4 * 4 + 4); // 380
    const attn = 2 * 4 + (4 * 12 + 12) + (4 * 4 + 4); // 88
    // Up blocks see concat(h, skip) = 8 channels, hence a 1x1 skip conv.
    const res84 = 2 * 8 + (9 * 8 * 4 + 4) + (T * 4 + 4) + 2 * 4 + (9 * 4 * 4 + 4) + (8 * 4 + 4); // 568
    const out = 2 * 4 + (9 * 4 * 1 + 1); // 45
    // conv_in, down res, mid res + attn + res, 2 up res (numResBlocks + 1), out.
    const expected = temb + convIn + res44 + (res44 + attn + res44) + 2 * res84 + out;
    expect(expected).toBe(2801);
    expect(countParams(micro)).toBe(expected);
    // + class table of (numClasses + 1) rows.
    expect(countParams({ ...micro, numClasses: 3 })).toBe(expected + 4 * T);

    const params = createParams({ ...micro, numClasses: 3 });
    expect(countParams(params)).toBe(expected + 4 * T);
    disposeParams(params);
  });

  it('matches the sum of variable sizes for a two-level config with attention', () => {
    const cfg: UNetConfig = {
      ...micro,
      imageSize: 8,
      channelMults: [1, 2],
      attentionResolutions: [4],
      numClasses: 2,
    };
    const params = createParams(cfg);
    expect(countParams(params)).toBe(countParams(cfg));
    const names = [...params.keys()];
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 3)).toEqual(['temb.dense0.w', 'temb.dense0.b', 'temb.dense1.w']);
    expect(names).toContain('down.0.res.0.conv1.w');
    expect(names).toContain('down.0.downsample.conv.w');
    expect(names).toContain('down.1.attn.0.qkv.w');
    expect(names).toContain('mid.attn.proj.w');
    expect(names).toContain('up.1.res.1.skip.w');
    expect(names).toContain('up.1.upsample.conv.w');
    expect(names[names.length - 1]).toBe('conv_out.b');
    for (const s of paramSpecs(cfg)) expect(params.get(s.name)?.shape).toEqual(s.shape);
    disposeParams(params);
  });
});

describe('initialisation', () => {
  it('is deterministic per seed and zero-inits the residual outputs', async () => {
    const a = createParams(micro, { seed: 7 });
    const b = createParams(micro, { seed: 7 });
    const c = createParams(micro, { seed: 8 });
    const w = (p: typeof a) => p.get('down.0.res.0.conv1.w')!.data();
    expect(await w(a)).toEqual(await w(b));
    expect(await w(a)).not.toEqual(await w(c));
    for (const name of ['down.0.res.0.conv2.w', 'mid.attn.proj.w', 'conv_out.w']) {
      expect(Math.max(...(await a.get(name)!.data()).map(Math.abs))).toBe(0);
    }
    const d = createParams(micro, { seed: 7, zeroInit: false });
    expect(Math.max(...(await d.get('conv_out.w')!.data()).map(Math.abs))).toBeGreaterThan(0);
    // Glorot-uniform bound sqrt(6 / (fanIn + fanOut)) for conv1 (3x3, 4 -> 4).
    const bound = Math.sqrt(6 / (36 + 36));
    expect(Math.max(...(await w(a)).map(Math.abs))).toBeLessThanOrEqual(bound);
    [a, b, c, d].forEach(disposeParams);
  });

  it('leaves no tensors behind but the variables', () => {
    const before = tf.memory().numTensors;
    const p = createParams(micro);
    expect(tf.memory().numTensors - before).toBe(p.size);
    disposeParams(p);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('flops', () => {
  it('matches a hand count for the one-level config', () => {
    const px = 16; // 4 x 4 pixels
    const convIn = 2 * px * 9 * 1 * 4;
    const convOut = 2 * px * 9 * 4 * 1;
    const res44 = 2 * px * 9 * 4 * 4 * 2; // conv1 + conv2
    const res84 = 2 * px * 9 * 8 * 4 + 2 * px * 9 * 4 * 4 + 2 * px * 8 * 4; // conv1 + conv2 + 1x1 skip
    const dense = 2 * (4 * 16 + 16 * 16) + 5 * (2 * 16 * 4); // time MLP + 5 temb projections
    const attention = 2 * px * 4 * 4 * 4 + 2 * 2 * px * px * 4; // 4 projections + 2 matMuls
    const f = flopsBreakdown(micro);
    expect(f.conv).toBe(convIn + convOut + 3 * res44 + 2 * res84);
    expect(f.dense).toBe(dense);
    expect(f.attention).toBe(attention);
    expect(f.total).toBe(67072);
  });
});
