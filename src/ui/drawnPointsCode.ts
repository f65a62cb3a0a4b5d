// The hand-drawn points of the "Score & SDE" view in the share link, compactly: each coordinate
// on a 0.01 grid in [−20.48, 20.47] is 12 bits, two URL-safe base-64 characters, so a point is
// 4 characters; 2 more characters carry a check (12 bits of FNV-1a over the points), so a changed
// or cut-short value is caught and reported instead of loading other points.
import { MAX_DRAWN_POINTS } from '../diffusion/score2d';
import { fnv1a } from '../random/seeded';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Coordinates are multiples of this. */
export const DRAWN_GRID = 0.01;
const OFFSET = 2048;
/** Drawn coordinates are kept inside [−DRAWN_LIMIT, DRAWN_LIMIT]. */
export const DRAWN_LIMIT = 20;
/** Longest value: MAX_DRAWN_POINTS points and the check. */
export const MAX_DRAWN_CODE_LENGTH = 4 * MAX_DRAWN_POINTS + 2;

/** A clicked coordinate as it is kept: on the 0.01 grid, inside ±DRAWN_LIMIT. */
export function snapDrawn(v: number): number {
  const c = Math.min(DRAWN_LIMIT, Math.max(-DRAWN_LIMIT, v));
  // `+ 0` turns −0 into 0.
  return Math.round(c / DRAWN_GRID) / 100 + 0;
}

function check(payload: string): number {
  // FNV-1a (the project's one copy, src/random/seeded.ts), 32 bits folded to 12.
  const h = fnv1a(payload);
  return (h ^ (h >>> 12) ^ (h >>> 24)) & 0xfff;
}

function twelveBits(v: number): string {
  return ALPHABET[v >> 6] + ALPHABET[v & 63];
}

export function encodeDrawnPoints(points: readonly (readonly [number, number])[]): string {
  let payload = '';
  for (const [x, y] of points) {
    for (const v of [x, y]) {
      payload += twelveBits(Math.round(snapDrawn(v) / DRAWN_GRID) + OFFSET);
    }
  }
  return payload + twelveBits(check(payload));
}

/** Decodes a value of encodeDrawnPoints; a string saying what is wrong when it is not one. */
export function decodeDrawnPoints(code: string): [number, number][] | string {
  if (!/^[A-Za-z0-9_-]*$/.test(code)) {
    return 'has characters other than A–Z, a–z, 0–9, - and _';
  }
  if (code.length > MAX_DRAWN_CODE_LENGTH) {
    return `is too long (more than ${MAX_DRAWN_POINTS} points)`;
  }
  if (code.length < 6 || (code.length - 2) % 4 !== 0) {
    return 'is not a whole number of points (4 characters each, then 2 check characters)';
  }
  const payload = code.slice(0, -2);
  const at = (i: number) => (ALPHABET.indexOf(code[i]) << 6) | ALPHABET.indexOf(code[i + 1]);
  if (at(code.length - 2) !== check(payload)) {
    return 'fails its check (the link was changed or cut short)';
  }
  const points: [number, number][] = [];
  for (let i = 0; i < payload.length; i += 4) {
    const x = (at(i) - OFFSET) / 100;
    const y = (at(i + 2) - OFFSET) / 100;
    if (Math.abs(x) > DRAWN_LIMIT || Math.abs(y) > DRAWN_LIMIT) {
      return `has a point outside ±${DRAWN_LIMIT}`;
    }
    points.push([x, y]);
  }
  return points;
}
