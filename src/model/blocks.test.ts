// The diagram's per-block parameter counts add up to the network's, for every preset, and match
// the variables the model really creates.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { networkDiagram } from './blocks';
import { countParams, createParams, disposeParams } from './params';
import { DATASETS, PRESET_NAMES, getPreset } from './presets';

describe('networkDiagram', () => {
  for (const dataset of DATASETS) {
    for (const preset of PRESET_NAMES) {
      it(`${dataset}/${preset}: the blocks' counts sum to the model's total`, () => {
        const config = getPreset(dataset, preset);
        const d = networkDiagram(config);
        const sum = d.blocks.reduce((n, b) => n + b.params, 0);
        expect(sum).toBe(countParams(config));
        expect(d.totalParams).toBe(countParams(config));
        // Every block but the parameter-free ones owns some parameters.
        for (const b of d.blocks) expect(b.params, b.name).toBeGreaterThan(0);
        // One attention block per attention resolution's res block, plus the middle one.
        const attn = d.blocks.filter((b) => b.kind === 'attn');
        expect(attn.some((b) => b.part === 'mid')).toBe(true);
        for (const b of attn) {
          expect(b.part === 'mid' || config.attentionResolutions.includes(b.size ?? -1)).toBe(true);
        }
      });
    }
  }

  it('counts each block as the variables createParams makes (mnist/tiny, by name)', () => {
    const config = getPreset('mnist', 'tiny');
    const params = createParams(config);
    try {
      const d = networkDiagram(config);
      const res = d.blocks.find((b) => b.name === 'up.0.res.1');
      let n = 0;
      for (const [name, v] of params) if (name.startsWith('up.0.res.1.')) n += v.size;
      expect(res?.params).toBe(n);
      expect(d.totalParams).toBe(countParams(params));
    } finally {
      disposeParams(params);
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('computes a res block by hand: GroupNorms, two 3×3 convs, t projection, 1×1 skip', () => {
    const config = getPreset('mnist', 'tiny'); // base 8, mults 1-2, tembDim 32
    const d = networkDiagram(config);
    const b = d.blocks.find((x) => x.name === 'down.1.res.0'); // 8 → 16 channels at 14×14
    expect(b).toMatchObject({ inCh: 8, outCh: 16, size: 14, level: 1 });
    const expected =
      2 * 8 + // norm1
      (3 * 3 * 8 * 16 + 16) + // conv1
      (32 * 16 + 16) + // temb_proj
      2 * 16 + // norm2
      (3 * 3 * 16 * 16 + 16) + // conv2
      (8 * 16 + 16); // 1×1 skip (channels change)
    expect(b?.params).toBe(expected);
    expect(d.levels).toEqual([
      { size: 28, channels: 8 },
      { size: 14, channels: 16 },
    ]);
    expect(d.tembDim).toBe(32);
  });
});
