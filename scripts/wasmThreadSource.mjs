// Keeps tfjs-backend-wasm's threaded build working after minification (issue 12, item 2).
//
// tfjs-backend-wasm 4.22 starts each pthread from the *source text* of its Emscripten factory:
//   new Blob(["var WasmBackendModuleThreadedSimd = " + wasmFactoryThreadedSimd.toString()])
// (dist/backend_wasm.js). That function reads `_scriptDir`, a variable of the closure around it,
// behind `if (typeof _scriptDir !== "undefined" && _scriptDir)`. A minifier that sees the
// declaration rewrites the guard to `e !== void 0 && e` and renames the variable; in the thread,
// where the closure does not exist, that throws "ReferenceError: e is not defined" (tfjs issues
// 4107, 4253, 4539; tfjs-backend-wasm README, "JS Minification").
//
// Vite 8's minifier (Oxc) has no switch for that rewrite (terser's compress.typeofs), so instead
// the closure's declaration is removed before bundling: `_scriptDir` becomes a global name that no
// minifier may rename or assume declared, and every read of it is made a typeof-guarded one. In
// a module worker the removed value was always undefined anyway (it came from
// document.currentScript, or __filename in Node, where tfjs never takes the threaded build).

/** The module whose source the pthreads receive. */
export const THREADED_MODULE =
  /tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

const DECLARATION =
  /var _scriptDir = typeof document !== 'undefined' && document\.currentScript \? document\.currentScript\.src : undefined;\s*if \(typeof __filename !== 'undefined'\) _scriptDir = _scriptDir \|\| __filename;/;
const GUARD = 'if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}';
const UNGUARDED_READ = 'Module["mainScriptUrlOrBlob"]||_scriptDir';
const GUARDED_READ =
  'Module["mainScriptUrlOrBlob"]||(typeof _scriptDir !== "undefined" ? _scriptDir : undefined)';

/**
 * The threaded factory's source with `_scriptDir` global-only. Throws when the source is not the
 * one this patch was written for (a tfjs upgrade must look at it again).
 */
export function patchThreadedSource(code) {
  const missing = [
    DECLARATION.test(code) ? null : 'the _scriptDir declaration',
    code.includes(GUARD) ? null : 'the typeof _scriptDir guard',
    code.includes(UNGUARDED_READ) ? null : "the worker's urlOrBlob read",
  ].filter((x) => x !== null);
  if (missing.length > 0) {
    throw new Error(
      `wasmThreadSource: tfjs-backend-wasm-threaded-simd.js changed (${missing.join(', ')} not ` +
        'found): check that its pthread source still survives minification, then update this patch',
    );
  }
  return code
    .replace(DECLARATION, '/* _scriptDir: a global only, see scripts/wasmThreadSource.mjs */')
    .replace(UNGUARDED_READ, GUARDED_READ);
}

/** Vite plugin applying patchThreadedSource to the threaded factory (build and worker build). */
export function wasmThreadSource() {
  return {
    name: 'wasm-thread-source',
    transform(code, id) {
      if (!THREADED_MODULE.test(id.split('?')[0])) return null;
      return { code: patchThreadedSource(code), map: null };
    },
  };
}

/**
 * Checks a built chunk: where it ships the threaded factory to pthreads, the factory must still
 * read the script directory only as `typeof _scriptDir`-guarded global reads: in the
 * scriptDirectory guard and in the urlOrBlob it sends each thread. Returns the problems found
 * (empty: fine, or the chunk has no threaded factory).
 */
export function checkThreadSource(chunk) {
  if (!chunk.includes('var WasmBackendModuleThreadedSimd = ')) return [];
  const problems = [];
  const near = (index, length) => chunk.slice(index, index + length);
  // Every Emscripten factory has `scriptDirectory = document.currentScript.src` then its guard;
  // the threaded one must have kept `typeof _scriptDir` there.
  const sites = [...chunk.matchAll(/[\w$]+\s*=\s*document\.currentScript\.src/g)];
  if (!sites.some((m) => /typeof _scriptDir\b/.test(near(m.index, 120)))) {
    const seen = sites.map((m) => near(m.index, 80)).join(' | ');
    problems.push(
      'the pthread source no longer guards its script directory with `typeof _scriptDir` ' +
        `(a minifier rewrote it; threads would throw "ReferenceError: … is not defined"): ${seen}`,
    );
  }
  // The urlOrBlob each pthread is given (only the threaded factory has it).
  const reads = [...chunk.matchAll(/urlOrBlob["']?\s*:/g)];
  if (reads.length === 0) problems.push("the pthread's urlOrBlob was not found");
  for (const m of reads) {
    const text = near(m.index, 120);
    if (!/typeof _scriptDir\b/.test(text)) {
      problems.push(`the pthread's urlOrBlob reads the script directory unguarded: ${text}`);
    }
  }
  return problems;
}
