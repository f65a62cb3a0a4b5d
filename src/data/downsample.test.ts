import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset';
import { downsampleDataset } from './downsample';

const ds = (images: number[], h: number, w: number, c = 1): Dataset => ({
  name: 'mnist',
  split: 'train',
  height: h,
  width: w,
  channels: c,
  classNames: ['0'],
  count: images.length / (h * w * c),
  images: Uint8Array.from(images),
  labels: new Uint8Array(images.length / (h * w * c)),
});

describe('downsampleDataset', () => {
  it('averages each 2×2 block and rounds', () => {
    // One 4×4 image: blocks [0,1,4,5]→2.5→3 (round half up), [2,3,6,7]→4.5→5, …
    const img = Array.from({ length: 16 }, (_, i) => i);
    const out = downsampleDataset(ds(img, 4, 4), 2);
    expect([out.height, out.width, out.count]).toEqual([2, 2, 1]);
    expect(Array.from(out.images)).toEqual([3, 5, 11, 13]);
  });

  it('keeps channels apart and refuses sizes that do not divide', () => {
    const out = downsampleDataset(ds([10, 200, 20, 200, 30, 200, 40, 200], 2, 2, 2), 2);
    expect(Array.from(out.images)).toEqual([25, 200]);
    expect(() => downsampleDataset(ds(new Array(9).fill(0), 3, 3), 2)).toThrow(/cannot be/);
    expect(() => downsampleDataset(ds([0], 1, 1), 0)).toThrow(/factor/);
  });
});
