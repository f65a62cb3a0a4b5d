import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodePngGrid } from './png';
import { toUnitInterval } from './pixels';

describe('encodePngGrid', () => {
  it('lays n images out in a padded grid, mapping [−1, 1] onto 0..255', () => {
    // 5 grey 2×3 images, image k filled with −1 + k/2 (k = 4 is +1).
    const [n, h, w] = [5, 2, 3];
    const images = new Float32Array(n * h * w);
    for (let k = 0; k < n; k++) images.fill(-1 + k / 2, k * h * w, (k + 1) * h * w);
    const png = decode(encodePngGrid(images, n, h, w, 1, { pad: 1, padValue: 7 }));
    // cols = ceil(√5) = 3, rows = 2: width 3·(3+1)+1 = 13, height 2·(2+1)+1 = 7.
    expect([png.width, png.height, png.channels, png.depth]).toEqual([13, 7, 1, 8]);
    const at = (x: number, y: number) => png.data[y * 13 + x];
    expect(at(0, 0)).toBe(7);
    expect([at(1, 1), at(3, 2)]).toEqual([0, 0]); // image 0 = −1
    expect(at(5, 1)).toBe(64); // image 1 = −0.5 → round(63.75)
    expect(at(9, 1)).toBe(128); // image 2 = 0 → round(127.5)
    expect(at(1, 4)).toBe(191); // image 3 = 0.5
    expect(at(5, 5)).toBe(255); // image 4 = 1
    expect(at(9, 4)).toBe(7); // the empty sixth cell stays padding
  });

  it('writes RGB, clips out-of-range values and honours cols and range', () => {
    const images = Float32Array.from([2, -3, 0.5, 0, 1, 0.25]); // 2 images of 1×1 RGB
    const png = decode(encodePngGrid(images, 2, 1, 1, 3, { cols: 1, pad: 0, range: [0, 1] }));
    expect([png.width, png.height, png.channels]).toEqual([1, 2, 3]);
    expect(Array.from(png.data)).toEqual([255, 0, 128, 0, 255, 64]);
    expect(() => encodePngGrid(images, 3, 1, 1, 3)).toThrow(/expected 9 values/);
  });

  it('toUnitInterval maps x/2 + 0.5 and clips', () => {
    expect(Array.from(toUnitInterval(Float32Array.from([-2, -1, 0, 0.5, 3])))).toEqual([
      0, 0, 0.5, 0.75, 1,
    ]);
  });
});
