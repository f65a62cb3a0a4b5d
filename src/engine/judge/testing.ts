// Test helpers for the judge (not imported by app code): a tiny synthetic data set that a tiny
// classifier learns in a few dozen steps.
import type { Dataset } from '../../data/dataset';
import type { ClassifierConfig } from '../../model/classifier';

export const TINY_JUDGE: ClassifierConfig = {
  imageSize: 8,
  inChannels: 1,
  numClasses: 3,
  channels: [4, 8],
  featureDim: 8,
};

/**
 * count 8x8 images of 3 classes: class c is a bright 2-px bar, horizontal at rows 1-2 (c = 0),
 * vertical at columns 1-2 (c = 1), or a 3x3 square at the centre (c = 2), at a random offset of
 * up to 2 px, over faint noise.
 */
export function barsDataset(count: number, seed = 1): Dataset {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const images = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    labels[i] = c;
    const off = Math.floor(rand() * 3);
    for (let r = 0; r < 8; r++) {
      for (let q = 0; q < 8; q++) {
        const on =
          c === 0
            ? r >= 1 + off && r <= 2 + off
            : c === 1
              ? q >= 1 + off && q <= 2 + off
              : r >= 2 + off && r <= 4 + off && q >= 2 + off && q <= 4 + off;
        images[i * 64 + r * 8 + q] = on ? 200 + Math.floor(rand() * 55) : Math.floor(rand() * 40);
      }
    }
  }
  return {
    name: 'mnist',
    split: 'train',
    height: 8,
    width: 8,
    channels: 1,
    classNames: ['h', 'v', 'square'],
    count,
    images,
    labels,
  };
}
