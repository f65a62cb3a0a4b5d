// Batch composition: determinism, epoch coverage, t range, label dropout rate, flips.
import { describe, expect, it } from 'vitest';
import { sampleBatch } from '../../data/dataset';
import { BatchSampler, flipHorizontally, type BatchOptions } from './batch';
import { syntheticDataset } from './testing';

const ds = syntheticDataset(40, 3);
const base: BatchOptions = {
  batchSize: 8,
  T: 1000,
  numClasses: 3,
  pUncond: 0.1,
  randomFlip: false,
  seed: 7,
};

describe('BatchSampler', () => {
  it('is a pure function of (seed, step)', () => {
    const a = new BatchSampler(ds, base).batch(13);
    const b = new BatchSampler(ds, base).batch(13);
    expect(b).toEqual(a);
    expect(new BatchSampler(ds, { ...base, seed: 8 }).batch(13).t).not.toEqual(a.t);
  });

  it('visits every image once per epoch', () => {
    const s = new BatchSampler(ds, base);
    const seen = [...s.indicesAt(0), ...s.indicesAt(1), ...s.indicesAt(2), ...s.indicesAt(3)];
    seen.push(...s.indicesAt(4));
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('draws t uniformly from 0..T-1', () => {
    const s = new BatchSampler(ds, { ...base, T: 10 });
    const counts = new Array<number>(10).fill(0);
    for (let step = 0; step < 500; step++) for (const t of s.batch(step).t) counts[t]++;
    // 4000 draws, 400 expected per value; 5 sigma is ~95.
    for (const c of counts) expect(Math.abs(c - 400)).toBeLessThan(100);
  });

  it('replaces labels by the null class at rate pUncond (Ho & Salimans 2022)', () => {
    for (const pUncond of [0, 0.1, 0.5]) {
      const s = new BatchSampler(ds, { ...base, pUncond });
      let nulls = 0;
      let total = 0;
      for (let step = 0; step < 1000; step++) {
        const { labels, indices } = s.batch(step);
        if (!labels) throw new Error('labels expected');
        labels.forEach((l, b) => {
          if (l === 3) nulls++;
          else expect(l).toBe(ds.labels[indices[b]]);
        });
        total += labels.length;
      }
      // 8000 draws: sigma <= 0.0056; allow 4 sigma.
      expect(Math.abs(nulls / total - pUncond)).toBeLessThan(0.023);
    }
  });

  it('gives no labels to an unconditional model', () => {
    expect(new BatchSampler(ds, { ...base, numClasses: 0 }).batch(0).labels).toBeNull();
  });

  it('flips only when enabled, about half of the images, mirrored exactly', () => {
    const off = new BatchSampler(ds, base);
    for (let step = 0; step < 20; step++) {
      const b = off.batch(step);
      expect(b.flipped.every((f) => f === 0)).toBe(true);
      expect(b.x).toEqual(sampleBatch(ds, b.indices).images);
    }
    const on = new BatchSampler(ds, { ...base, randomFlip: true });
    let flips = 0;
    for (let step = 0; step < 200; step++) {
      const b = on.batch(step);
      const plain = sampleBatch(ds, b.indices).images;
      flipHorizontally(plain, b.shape, b.flipped);
      expect(b.x).toEqual(plain);
      flips += b.flipped.reduce((n, f) => n + f, 0);
    }
    expect(Math.abs(flips / 1600 - 0.5)).toBeLessThan(0.05);
  });

  it('mirrors rows and keeps channel order', () => {
    // One 1x3 image with 2 channels: pixels (1,2) (3,4) (5,6) -> (5,6) (3,4) (1,2).
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    flipHorizontally(x, [1, 1, 3, 2], [1]);
    expect([...x]).toEqual([5, 6, 3, 4, 1, 2]);
  });

  it('rejects bad options', () => {
    expect(() => new BatchSampler(ds, { ...base, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new BatchSampler(ds, { ...base, pUncond: 1.5 })).toThrow(/pUncond/);
    expect(() => new BatchSampler(ds, { ...base, numClasses: 2 })).toThrow(/classes/);
  });
});
