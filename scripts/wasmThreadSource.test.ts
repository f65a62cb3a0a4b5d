// The threaded wasm build's pthread source must survive the production minifier (issue 12): the
// real tfjs-backend-wasm factory, minified with Oxc (Vite 8's minifier) inside a module wrapper as
// a bundle would, fails the check unpatched and passes it patched.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { minifySync } from 'rolldown/utils';
import { describe, expect, it } from 'vitest';
import { checkThreadSource, patchThreadedSource, THREADED_MODULE } from './wasmThreadSource.mjs';

const require = createRequire(import.meta.url);
const factoryPath =
  require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const factory = readFileSync(factoryPath, 'utf8');

/** The factory as a bundle holds it: a CommonJS module in a closure, shipped as text. */
function bundled(source: string): string {
  const wrapped =
    'export const f = (() => { const m = { exports: {} };' +
    ` (function (module, exports) {${source}\n})(m, m.exports); return m.exports; })();` +
    ' export const blob = new Blob(["var WasmBackendModuleThreadedSimd = " + f.toString()]);';
  return minifySync('worker.js', wrapped, { module: true }).code;
}

describe('the threaded wasm factory through the minifier', () => {
  it('is the module the plugin patches', () => {
    expect(THREADED_MODULE.test(factoryPath)).toBe(true);
  });

  it('loses its typeof _scriptDir guard unpatched (the "e is not defined" crash)', () => {
    const problems = checkThreadSource(bundled(factory));
    expect(problems.join('\n')).toMatch(/no longer guards its script directory/);
    expect(problems.join('\n')).toMatch(/urlOrBlob reads the script directory unguarded/);
  });

  it('keeps every script-directory read typeof-guarded when patched', () => {
    const out = bundled(patchThreadedSource(factory));
    expect(checkThreadSource(out)).toEqual([]);
    expect(out).toMatch(/typeof _scriptDir\s*(<|!==?)\s*[`'"]u/);
  });

  it('refuses a factory it was not written for', () => {
    expect(() => patchThreadedSource('var WasmBackendModuleThreadedSimd = 1;')).toThrow(
      /changed \(the _scriptDir declaration, the typeof _scriptDir guard/,
    );
  });

  it('ignores chunks without the threaded factory', () => {
    expect(checkThreadSource('console.log(1)')).toEqual([]);
  });
});
