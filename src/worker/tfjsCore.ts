// What the compute worker's bundle takes of @tensorflow/tfjs at start-up: the package's own index
// (node_modules/@tensorflow/tfjs/dist/index.js) without tfjs-layers, tfjs-converter and tfjs-data,
// which the app does not use, and without the webgl backend, which select.ts imports only when
// it tries WebGL (as it does the webgpu one): tfjs-core with all its gradients and chained ops,
// and the cpu backend. The build points the worker's `@tensorflow/tfjs` imports here
// (vite.config.ts, tfjsCoreOnly); Node (CLI, tests) loads the whole package, where its size
// costs nothing.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-backend-cpu';
