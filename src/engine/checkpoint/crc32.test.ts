import { describe, expect, it } from 'vitest';
import { crc32, crc32Hex } from './crc32';

describe('crc32', () => {
  it('matches the standard check value (zlib.crc32)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Hex(new Uint8Array(0))).toBe('00000000');
  });
});
