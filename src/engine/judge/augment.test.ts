import { describe, expect, it } from 'vitest';
import { flipImages, shiftImages } from './augment';

describe('shiftImages', () => {
  // Two 3x3 single-channel images with values 1..9 and 11..19.
  const x = Float32Array.from({ length: 18 }, (_, i) => (i < 9 ? i + 1 : i + 2));

  it('moves content down/right by (dy, dx) and fills the border with -1', () => {
    const out = shiftImages(x, [2, 3, 3, 1], [1, 0], [0, -1]);
    // Image 0 down by 1: the top row is background.
    expect([...out.subarray(0, 9)]).toEqual([-1, -1, -1, 1, 2, 3, 4, 5, 6]);
    // Image 1 left by 1: the right column is background.
    expect([...out.subarray(9)]).toEqual([12, 13, -1, 15, 16, -1, 18, 19, -1]);
    expect(x[0]).toBe(1); // the input is untouched
  });

  it('keeps the image for a zero shift, keeps channels together, and empties it past the edge', () => {
    expect([...shiftImages(x, [2, 3, 3, 1], [0, 0], [0, 0])]).toEqual([...x]);
    const rgb = Float32Array.from({ length: 2 * 2 * 2 }, (_, i) => i);
    // 1 image 2x2x2: right by 1 moves pixel (r, 0) to (r, 1) with both channels.
    expect([...shiftImages(rgb, [1, 2, 2, 2], [0], [1])]).toEqual([-1, -1, 0, 1, -1, -1, 4, 5]);
    expect([...shiftImages(x, [2, 3, 3, 1], [3, 0], [0, 5])].every((v) => v === -1)).toBe(true);
  });
});

describe('flipImages', () => {
  it('mirrors the flagged images left-right, keeping channels together', () => {
    // 2 images 2x3 with 2 channels: pixel (r, c) holds [10r + c, -(10r + c)].
    const x = Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => {
      const p = Math.floor(i / 2) % 6;
      const v = 10 * Math.floor(p / 3) + (p % 3);
      return i % 2 === 0 ? v : -v;
    });
    const out = flipImages(x, [2, 2, 3, 2], [true, false]);
    expect([...out.subarray(0, 12)]).toEqual([2, -2, 1, -1, 0, -0, 12, -12, 11, -11, 10, -10]);
    expect([...out.subarray(12)]).toEqual([...x.subarray(12)]);
    expect(x[0]).toBe(0); // the input is untouched
    expect([...flipImages(out, [2, 2, 3, 2], [true, false])]).toEqual([...x]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => flipImages(new Float32Array(5), [1, 2, 2, 1], [true])).toThrow(/expected 4/);
  });
});
