import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../diffusion/schedule';
import { deriveSeed, STREAM } from '../random/seeded';
import { ForwardNoiser, type SourceImage } from './forwardNoising';
import { toSourceImage, validateRgba } from './customImage';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function image(h = 6, w = 5, c = 1): SourceImage {
  const data = new Float32Array(h * w * c).map((_, i) => Math.sin(i) * 0.9);
  return { data, height: h, width: w, channels: c };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};

describe('ForwardNoiser', () => {
  it('closed form: x_t = sqrt(alphaBar) x0 + sqrt(1 - alphaBar) eps, per pixel', async () => {
    const noiser = new ForwardNoiser();
    const img = image();
    const r = await noiser.noise(img, 300, { kind: 'cosine', T: 1000 }, 5);
    const s = makeSchedule({ kind: 'cosine', T: 1000 });
    const expected = r.x0.map(
      (x, i) => s.sqrtAlphaBars[300] * x + s.sqrtOneMinusAlphaBars[300] * r.eps[i],
    );
    close(r.xt, expected, 1e-5);
    expect(r.shape).toEqual([1, 6, 5, 1]);
  });

  it('same seed, same noise; another seed, other noise', async () => {
    const noiser = new ForwardNoiser();
    const a = await noiser.noise(image(), 10, { kind: 'linear', T: 100 }, 1);
    const b = await noiser.noise(image(), 10, { kind: 'linear', T: 100 }, 1);
    const c = await noiser.noise(image(), 10, { kind: 'linear', T: 100 }, 2);
    expect(Array.from(a.xt)).toEqual(Array.from(b.xt));
    expect(Array.from(a.xt)).not.toEqual(Array.from(c.xt));
  });

  it('chain: x_t is eq. 2 applied t + 1 times, recomputed here in float64 from the same z', async () => {
    const noiser = new ForwardNoiser();
    const img = image();
    const T = 50;
    const t = 40;
    const r = await noiser.noise(img, t, { kind: 'linear', T }, 3, 'chain');
    // β_s from Ho et al. 2020, Sec. 4 (1e-4 … 0.02 over T steps), written out here, and the z of
    // step s drawn the way the noiser is documented to draw it.
    const beta = (k: number) => 1e-4 + ((0.02 - 1e-4) * k) / (T - 1);
    let x = Array.from(img.data, Number);
    for (let k = 0; k <= t; k++) {
      const zt = tf.randomNormal(r.shape, 0, 1, 'float32', deriveSeed(3, STREAM.forwardChain, k));
      const z = await zt.data();
      zt.dispose();
      x = x.map((v, i) => Math.sqrt(1 - beta(k)) * v + Math.sqrt(beta(k)) * z[i]);
    }
    close(r.xt, x, 1e-5);
    // The ε it reports is the one the closed form would need: x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε.
    let alphaBar = 1;
    for (let k = 0; k <= t; k++) alphaBar *= 1 - beta(k);
    const eps = x.map((v, i) => (v - Math.sqrt(alphaBar) * img.data[i]) / Math.sqrt(1 - alphaBar));
    close(r.eps, eps, 1e-4);
  });

  it('seed 0 is a seed: the same noise on every draw, in the filmstrip too', async () => {
    const noiser = new ForwardNoiser();
    const img = image(4, 4, 1);
    const opts = { kind: 'cosine' as const, T: 1000 };
    const a = await noiser.noise(img, 500, opts, 0);
    const b = await noiser.noise(img, 500, opts, 0);
    expect(Array.from(a.eps)).toEqual(Array.from(b.eps));
    const c1 = await noiser.noise(img, 30, { kind: 'linear', T: 50 }, 0, 'chain');
    const c2 = await noiser.noise(img, 30, { kind: 'linear', T: 50 }, 0, 'chain');
    expect(Array.from(c1.xt)).toEqual(Array.from(c2.xt));
    const strip = await noiser.filmstrip(img, 1000, 5, 0);
    expect(strip.timesteps[2]).toBe(500);
    close(strip.frames[1][2], a.xt, 1e-5);
  });

  it('chain and closed form agree in distribution (mean and variance over pixels)', async () => {
    const noiser = new ForwardNoiser();
    const n = 64 * 64;
    const img: SourceImage = {
      data: new Float32Array(n).fill(0.5),
      height: 64,
      width: 64,
      channels: 1,
    };
    const opts = { kind: 'linear' as const, T: 200 };
    const t = 120;
    const chain = await noiser.noise(img, t, opts, 11, 'chain');
    const s = makeSchedule(opts);
    const mean = chain.xt.reduce((a, b) => a + b, 0) / n;
    const variance = chain.xt.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const m = s.sqrtAlphaBars[t] * 0.5;
    const v = 1 - s.alphaBars[t];
    // 5 standard errors of the sample mean and variance.
    expect(Math.abs(mean - m)).toBeLessThan(5 * Math.sqrt(v / n));
    expect(Math.abs(variance - v)).toBeLessThan(5 * v * Math.sqrt(2 / n));
  });

  it('filmstrip frames equal single closed-form results with the same seed', async () => {
    const noiser = new ForwardNoiser();
    const img = image(4, 4, 3);
    const strip = await noiser.filmstrip(img, 1000, 5, 9);
    expect(strip.timesteps).toEqual([0, 250, 500, 749, 999]);
    for (const [row, kind] of [
      [0, 'linear'],
      [1, 'cosine'],
    ] as const) {
      const single = await noiser.noise(img, 500, { kind, T: 1000 }, 9);
      close(strip.frames[row][2], single.xt, 1e-5);
    }
  });

  it('rejects bad t, seed, frames and shapes, and leaks no tensors', async () => {
    const noiser = new ForwardNoiser();
    const before = tf.memory().numTensors;
    await expect(noiser.noise(image(), 1000, { kind: 'linear', T: 1000 }, 1)).rejects.toThrow(
      /t must be an integer in \[0, 999\]/,
    );
    await expect(noiser.noise(image(), 1, { kind: 'linear', T: 10 }, Number.NaN)).rejects.toThrow(
      /seed/,
    );
    await expect(noiser.filmstrip(image(), 100, 1, 1)).rejects.toThrow(/frames/);
    await expect(
      noiser.noise(
        { data: new Float32Array(3), height: 2, width: 2, channels: 1 },
        1,
        { kind: 'linear', T: 10 },
        1,
      ),
    ).rejects.toThrow(/needs 4/);
    await noiser.noise(image(), 5, { kind: 'linear', T: 10 }, 1, 'chain');
    await noiser.filmstrip(image(), 10, 4, 1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('toSourceImage', () => {
  const rgba = (w: number, h: number, f: (x: number, y: number) => number) => {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = f(x, y);
        data.set([v, v, v, 255], (y * w + x) * 4);
      }
    return { data, width: w, height: h };
  };

  it('resizes any size to the data set size, in [-1, 1]', async () => {
    const before = tf.memory().numTensors;
    const img = await toSourceImage(
      rgba(100, 60, (x) => (x < 50 ? 0 : 255)),
      {
        height: 28,
        width: 28,
        channels: 3,
      },
    );
    expect(img.data.length).toBe(28 * 28 * 3);
    expect(img.data[0]).toBeCloseTo(-1, 5);
    expect(img.data[28 * 3 - 1]).toBeCloseTo(1, 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inverts a dark-on-light picture for one-channel (MNIST-like) data', async () => {
    const paper = rgba(56, 56, (x, y) => (Math.abs(x - 28) < 3 && y > 8 && y < 48 ? 0 : 255));
    const img = await toSourceImage(paper, { height: 28, width: 28, channels: 1 });
    // Background becomes black (-1), the stroke becomes light.
    expect(img.data[0]).toBeCloseTo(-1, 5);
    expect(img.data[14 * 28 + 14]).toBeGreaterThan(0.5);
    const kept = await toSourceImage(paper, { height: 28, width: 28, channels: 1, invert: false });
    expect(kept.data[0]).toBeCloseTo(1, 5);
  });

  it('rejects empty, huge and inconsistent pictures with a clear message', () => {
    expect(() => validateRgba({ data: new Uint8Array(0), width: 0, height: 5 })).toThrow(
      /no pixels/,
    );
    expect(() => validateRgba({ data: new Uint8Array(4), width: 5000, height: 1 })).toThrow(
      /at most 4096/,
    );
    expect(() => validateRgba({ data: new Uint8Array(7), width: 1, height: 2 })).toThrow(/needs 8/);
  });
});
