// Node only (tests, benchmarks): the wasm binaries' folder inside node_modules. The browser
// build passes Vite `?url` imports instead (src/worker/wasmPaths.ts).
import { createRequire } from 'node:module';
import path from 'node:path';

/** `.../node_modules/@tensorflow/tfjs-backend-wasm/dist/`, with the trailing slash tfjs needs. */
export function nodeWasmDir(): string {
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}
