import { describe, expect, it } from 'vitest';
import { difference, maxAbs, stretchPerImage } from './pixelMaps';

describe('difference and maxAbs', () => {
  it('subtracts element-wise and finds the symmetric display range', () => {
    const d = difference(new Float32Array([1, 0.5, -2]), new Float32Array([0.5, 1, 1]));
    expect(Array.from(d)).toEqual([0.5, -0.5, -3]);
    expect(maxAbs(d)).toBe(3);
    expect(maxAbs(new Float32Array(0))).toBe(0);
  });
  it('refuses arrays of different lengths', () => {
    expect(() => difference(new Float32Array(2), new Float32Array(3))).toThrow(/lengths 2 and 3/);
  });
});

describe('stretchPerImage', () => {
  it('maps each image from its own min and max onto [-1, 1]', () => {
    const out = stretchPerImage(new Float32Array([-3, 0, 3, 10, 12, 11]), 3);
    expect(Array.from(out)).toEqual([-1, 0, 1, -1, 1, 0]);
  });
  it('maps a constant image to 0 and refuses partial images', () => {
    expect(Array.from(stretchPerImage(new Float32Array([5, 5]), 2))).toEqual([0, 0]);
    expect(() => stretchPerImage(new Float32Array(5), 2)).toThrow(/whole images/);
  });
});
