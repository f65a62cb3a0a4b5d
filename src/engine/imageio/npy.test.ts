import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, npyHeader } from './npy';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('encodeNpy', () => {
  it('writes the hand-computed v1.0 header and little-endian float32 data', () => {
    const data = new Float32Array(2 * 28 * 28).fill(0);
    data[0] = 1.5;
    data[data.length - 1] = -2;
    const bytes = encodeNpy(data, [2, 28, 28, 1]);
    // 10-byte preamble + 67-char dict + "\n" = 78 → padded with 50 spaces to 128 = 2 × 64.
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 28, 28, 1), }";
    expect(dict.length).toBe(67);
    const expected = [0x93, ...Buffer.from('NUMPY'), 1, 0, 118, 0, ...Buffer.from(dict)];
    expect(Array.from(bytes.subarray(0, expected.length))).toEqual(expected);
    expect(Buffer.from(bytes.subarray(expected.length, 128)).toString('latin1')).toBe(
      ' '.repeat(50) + '\n',
    );
    expect(bytes.length).toBe(128 + 4 * data.length);
    expect(Array.from(bytes.subarray(128, 132))).toEqual([0x00, 0x00, 0xc0, 0x3f]); // 1.5
    expect(Array.from(bytes.subarray(bytes.length - 4))).toEqual([0x00, 0x00, 0x00, 0xc0]); // -2
  });

  it('pads every header to a multiple of 64 and writes 1-D tuples with a comma', () => {
    expect(npyHeader([3])).toBe(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + ' '.repeat(60) + '\n',
    );
    for (const shape of [[], [1], [7, 5], [1000, 32, 32, 3], [123456789, 1, 2]]) {
      expect((10 + npyHeader(shape).length) % 64).toBe(0);
    }
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6 values/);
  });

  it.skipIf(!hasNumpy)('round-trips through numpy.load', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'npy-'));
    try {
      const shape = [2, 3, 4, 1];
      const data = Float32Array.from({ length: 24 }, (_, i) => i / 8 - 1.3);
      const file = path.join(dir, 'a.npy');
      writeFileSync(file, encodeNpy(data, shape));
      const script =
        'import json,sys,numpy as np; a=np.load(sys.argv[1]); ' +
        'print(json.dumps([str(a.dtype), list(a.shape), a.ravel().tolist(), a[1,2,3,0].item()]))';
      const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const [dtype, gotShape, values, last] = JSON.parse(r.stdout) as [
        string,
        number[],
        number[],
        number,
      ];
      expect(dtype).toBe('float32');
      expect(gotShape).toEqual(shape);
      expect(values).toEqual(Array.from(data));
      expect(last).toBe(data[23]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
