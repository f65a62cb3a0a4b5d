import { describe, expect, it } from 'vitest';
import { paced } from './paced';

describe('paced', () => {
  it('passes the first call, then one per interval, and every final call', () => {
    let clock = 0;
    const seen: number[] = [];
    const report = paced(
      (v: number) => seen.push(v),
      100,
      (v) => v === 10,
      () => clock,
    );
    for (let v = 1; v <= 10; v++) {
      report(v);
      clock += 40; // calls at 0, 40, 80, …, 360 ms
    }
    // 1 at 0 ms, 4 at 120 ms (≥ 100 after 0), 7 at 240 ms, 10 final at 360 ms.
    expect(seen).toEqual([1, 4, 7, 10]);
  });

  it('passes everything when calls are further apart than the interval', () => {
    let clock = 0;
    const seen: string[] = [];
    const report = paced(
      (v: string) => seen.push(v),
      100,
      () => false,
      () => clock,
    );
    for (const v of ['a', 'b', 'c']) {
      report(v);
      clock += 150;
    }
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});
