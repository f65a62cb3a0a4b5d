import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from './float16';

const allBits = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe('float16', () => {
  it('decodes every bit pattern exactly as tfjs does', async () => {
    const ours = decodeFloat16(allBits);
    // tfjs's own float16 decoding of the same bytes, as a real tfjs weight file would be read.
    const spec = {
      name: 'w',
      shape: [65536],
      dtype: 'float32' as const,
      quantization: { dtype: 'float16' as const },
    };
    const t = tf.io.decodeWeights(allBits.buffer, [spec]).w;
    const theirs = await t.data();
    t.dispose();
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(ours[i])) expect(theirs[i]).toBeNaN();
      else if (ours[i] !== theirs[i]) expect.fail(`bits ${i}: ${ours[i]} vs ${theirs[i]}`);
    }
  });

  it('encodes every float16 value back to its own bits', () => {
    for (let h = 0; h < 65536; h++) {
      const v = fromFloat16Bits(h);
      if (Number.isNaN(v)) expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(v)))).toBe(true);
      else if (toFloat16Bits(v) !== h) expect.fail(`bits ${h} (${v}) -> ${toFloat16Bits(v)}`);
    }
  });

  it('rounds to nearest, ties to even, and overflows to Inf', () => {
    const one = 0x3c00;
    const ulp = 2 ** -10;
    expect(toFloat16Bits(1 + ulp / 2)).toBe(one); // tie -> even (1.0)
    expect(toFloat16Bits(1 + ulp * 1.5)).toBe(one + 2); // tie -> even (1 + 2 ulp)
    expect(toFloat16Bits(1 + ulp * 0.51)).toBe(one + 1);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(-1e9)).toBe(0xfc00);
    expect(toFloat16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(toFloat16Bits(2 ** -25)).toBe(0); // tie -> even (0)
    expect(toFloat16Bits(1.5 * 2 ** -25)).toBe(1);
    expect(toFloat16Bits(-0)).toBe(0x8000);
  });

  it('stays within half an ulp on random float32 values', () => {
    const x = Float32Array.from(
      { length: 10000 },
      (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 6),
    );
    const y = decodeFloat16(encodeFloat16(x));
    for (let i = 0; i < x.length; i++) {
      const tol = Math.max(Math.abs(x[i]) * 2 ** -11, 2 ** -25);
      if (Math.abs(y[i] - x[i]) > tol) expect.fail(`${x[i]} -> ${y[i]}`);
    }
  });
});
