// Log axes with ticks at powers of ten, labelled 10ⁿ (pure: shared by the recharts and uPlot
// charts), so a reader sees decades, not arbitrary values like 0.90 and 0.010.

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** 10^e as the nearest double to the decimal (10 ** -4 is 0.00009999999999999999). */
const pow10 = (e: number): number => Number(`1e${e}`);

/** The decades that enclose the positive finite values: [10^floor(log min), 10^ceil(log max)]. */
export function decadeDomain(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return null;
  const a = Math.floor(Math.log10(lo) + 1e-9);
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi) - 1e-9));
  return [pow10(a), pow10(b)];
}

/** Every power of ten from lo to hi (both powers of ten, as decadeDomain returns them). */
export function decadeTicks([lo, hi]: readonly [number, number]): number[] {
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    ticks.push(pow10(e));
  }
  return ticks;
}

/** 10ⁿ as text: 1 and 10 stay plain, 0.001 reads 10⁻³. */
export function formatDecade(v: number): string {
  const e = Math.round(Math.log10(v));
  if (e === 0) return '1';
  if (e === 1) return '10';
  return `10${String(e)
    .split('')
    .map((ch) => SUPERSCRIPT[ch] ?? ch)
    .join('')}`;
}
