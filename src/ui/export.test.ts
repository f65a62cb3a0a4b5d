import { describe, expect, it } from 'vitest';
import { gridPixels } from './gridPixels';
import { trajectoryGif } from './exportGif';
import type { SamplingFrame } from '../worker/api';

describe('gridPixels', () => {
  it('lays out images in a grid with grey padding, scaled', () => {
    // Two 1x1 grey images: -1 (black) and 1 (white), two columns, scale 2, pad 1.
    const g = gridPixels(new Float32Array([-1, 1]), [2, 1, 1, 1], [-1, 1], 2, 1, 2);
    expect([g.width, g.height]).toEqual([5, 2]);
    const px = (x: number, y: number) =>
      Array.from(g.rgba.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(1, 1)).toEqual([0, 0, 0, 255]);
    expect(px(2, 0)).toEqual([68, 68, 68, 255]);
    expect(px(3, 0)).toEqual([255, 255, 255, 255]);
    expect(px(4, 1)).toEqual([255, 255, 255, 255]);
  });
});

describe('trajectoryGif', () => {
  const frame = (v: number): SamplingFrame => ({
    shape: [2, 4, 4, 1],
    stepsDone: 0,
    totalSteps: 2,
    nfeDone: 0,
    totalNfe: 2,
    score: null,
    done: false,
    t: null,
    guidanceScale: 1,
    guided: false,
    sampler: 'ddim',
    clipX0: true,
    x: new Float32Array(32).fill(v),
    xt: null,
    x0Pred: null,
    eps: null,
    epsUsed: null,
    epsCond: null,
    epsUncond: null,
    warning: null,
  });

  it('encodes one GIF frame per trajectory frame', async () => {
    const bytes = await trajectoryGif([frame(-1), frame(0), frame(1)], 1);
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe('GIF89a');
    // Logical screen: the 2-image grid is 9 x 4 pixels.
    expect(bytes[6] | (bytes[7] << 8)).toBe(9);
    expect(bytes[8] | (bytes[9] << 8)).toBe(4);
    // One graphic control extension (0x21 0xF9) per frame.
    let controls = 0;
    for (let i = 0; i + 1 < bytes.length; i++)
      if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9) controls++;
    expect(controls).toBe(3);
    expect(bytes[bytes.length - 1]).toBe(0x3b);
  });

  it('refuses an empty trajectory', async () => {
    await expect(trajectoryGif([])).rejects.toThrow(/nothing to export/);
  });
});
