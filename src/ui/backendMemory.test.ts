import { describe, expect, it } from 'vitest';
import { parseRemembered } from './backendMemory';
import { withBackendOverride, readBackendOverride } from './backendOverride';

describe('parseRemembered', () => {
  it('reads a decision the page stored', () => {
    const v = {
      backend: 'wasm',
      deviceKey: 'google|swiftshader||',
      measurements: [{ backend: 'wasm', ms: 12 }],
    };
    expect(parseRemembered(JSON.stringify(v))).toEqual(v);
  });
  it('ignores malformed or hostile values', () => {
    for (const raw of [
      null,
      '',
      '{',
      'null',
      '[]',
      '{"backend":"tpu","deviceKey":"x"}',
      '{"backend":"wasm"}',
      'x'.repeat(20_000),
    ]) {
      expect(parseRemembered(raw)).toBeNull();
    }
  });
  it('drops measurements that are not numbers', () => {
    const raw = JSON.stringify({
      backend: 'webgpu',
      deviceKey: 'k',
      measurements: [
        { backend: 'webgpu', ms: 'fast' },
        { backend: 'nope', ms: 1 },
        { backend: 'wasm', ms: -1 },
        { backend: 'wasm', ms: 3 },
      ],
    });
    expect(parseRemembered(raw)?.measurements).toEqual([{ backend: 'wasm', ms: 3 }]);
  });
});

describe('withBackendOverride', () => {
  it('sets and removes ?backend= and keeps the hash', () => {
    const forced = withBackendOverride('http://127.0.0.1:4173/?a=1#view=sampling&t=3', 'wasm');
    expect(readBackendOverride(new URL(forced).search)).toBe('wasm');
    expect(new URL(forced).hash).toBe('#view=sampling&t=3');
    expect(new URL(forced).searchParams.get('a')).toBe('1');
    const auto = withBackendOverride(forced, undefined);
    expect(readBackendOverride(new URL(auto).search)).toBeUndefined();
  });
});
