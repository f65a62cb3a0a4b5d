import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gridChannels, gridSize, validateConfig, type UNetConfig } from './config';
import { flopsPerImage } from './flops';
import { countParams } from './params';
import { describePreset, getPreset } from './presets';
import { randomValues, values } from './testUtil';
import { patchify, unpatchify, UNet } from './unet';

describe('patchify / unpatchify', () => {
  it('folds each p x p patch into channels, row-major within the patch', async () => {
    // One 4x4 image with 2 channels; value = 100 * row + 10 * col + channel.
    const data: number[] = [];
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) for (let ch = 0; ch < 2; ch++) data.push(100 * r + 10 * c + ch);
    const x = tf.tensor4d(data, [1, 4, 4, 2]);
    const p = patchify(x, 2);
    expect(p.shape).toEqual([1, 2, 2, 8]);
    const v = await values(p);
    // Grid cell (1, 0) holds rows 2-3, cols 0-1: (2,0,c0),(2,0,c1),(2,1,..),(3,0,..),(3,1,..).
    const cell = v.slice((1 * 2 + 0) * 8, (1 * 2 + 0) * 8 + 8);
    expect(cell).toEqual([200, 201, 210, 211, 300, 301, 310, 311]);
    tf.dispose([x, p]);
  });

  it('unpatchify inverts patchify exactly, for any batch and patch size', async () => {
    for (const [b, s, c, p] of [
      [3, 6, 1, 2],
      [2, 6, 3, 3],
      [1, 8, 2, 4],
    ]) {
      const x = tf.tensor4d(randomValues(b * s * s * c, s + p), [b, s, s, c]);
      const y = unpatchify(patchify(x, p), p);
      expect(y.shape).toEqual(x.shape);
      expect(await values(y)).toEqual(await values(x));
      tf.dispose([x, y]);
    }
  });

  it('has an exact gradient (the transpose of a permutation)', async () => {
    const x = tf.tensor4d(randomValues(2 * 4 * 4 * 1, 3), [2, 4, 4, 1]);
    const w = tf.tensor4d(randomValues(2 * 2 * 2 * 4, 4), [2, 2, 2, 4]);
    // d/dx sum(patchify(x) * w) is w unpatchified.
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(patchify(xi as tf.Tensor4D, 2), w)))(x);
    const expected = unpatchify(w, 2);
    expect(await values(g)).toEqual(await values(expected));
    tf.dispose([x, w, g, expected]);
  });
});

describe('patchSize in the U-Net config', () => {
  const base: UNetConfig = {
    imageSize: 8,
    inChannels: 1,
    baseChannels: 8,
    channelMults: [1, 2],
    numResBlocks: 1,
    attentionResolutions: [],
    groups: 4,
    dropout: 0,
    numClasses: 3,
    patchSize: 2,
  };

  it('runs the network on the (imageSize / p)² x (C·p²) grid', () => {
    expect(gridSize(base)).toBe(4);
    expect(gridChannels(base)).toBe(4);
    expect(validateConfig(base)).toBe(base);
  });

  it('rejects sizes that the patches or the levels do not divide', () => {
    expect(() => validateConfig({ ...base, patchSize: 3 })).toThrow(
      /imageSize 8 must be divisible by patchSize 3/,
    );
    expect(() => validateConfig({ ...base, channelMults: [1, 2, 2, 2] })).toThrow(
      /imageSize \/ patchSize = 4 must be divisible by 2\^\(levels-1\) = 8/,
    );
    expect(() => validateConfig({ ...base, patchSize: 0 })).toThrow(/patchSize must be a positive/);
  });

  it('predicts ε at full resolution and keeps the batch independent', async () => {
    const before = tf.memory().numTensors;
    const unet = UNet.create(base, { seed: 2, zeroInit: false });
    const x = tf.tensor4d(randomValues(2 * 8 * 8, 5), [2, 8, 8, 1]);
    const t = tf.tensor1d([10, 900], 'int32');
    const y = tf.tensor1d([0, 3], 'int32');
    const out = unet.apply(x, t, y, { training: false });
    expect(out.shape).toEqual([2, 8, 8, 1]);
    const both = await values(out);
    const x1 = tf.slice(x, [1, 0, 0, 0], [1, 8, 8, 1]);
    const t1 = tf.tensor1d([900], 'int32');
    const y1 = tf.tensor1d([3], 'int32');
    const one = unet.apply(x1, t1, y1, { training: false });
    const single = await values(one);
    const second = both.slice(64);
    for (let i = 0; i < 64; i++) expect(single[i]).toBeCloseTo(second[i], 5);
    tf.dispose([x, t, y, out, x1, t1, y1, one]);
    unet.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the compact presets count their conv_in / conv_out on the patch grid', () => {
    const mnist = getPreset('mnist', 'compact');
    expect(mnist.patchSize).toBe(2);
    const plain = { ...mnist, patchSize: 1, channelMults: [1, 2], imageSize: 14, inChannels: 4 };
    // A patch-2 28x28x1 model has exactly the parameters and FLOPs of the same U-Net on 14x14x4.
    expect(countParams(mnist)).toBe(countParams(plain));
    expect(flopsPerImage(mnist)).toBe(flopsPerImage(plain));
    expect(describePreset('mnist', 'compact').params).toBe(countParams(mnist));
  });
});
