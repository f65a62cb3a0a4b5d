// The committed kernels (src/engine/backends/simdWasm.ts) are what their AssemblyScript
// source compiles to: edit the source and forget `npm run build:wasm`, and this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, OUTPUT } from './build-wasm.mjs';

describe('build-wasm', () => {
  it('the committed module is a fresh build of the source', async () => {
    expect(await generate()).toBe(readFileSync(OUTPUT, 'utf8'));
  });
});
