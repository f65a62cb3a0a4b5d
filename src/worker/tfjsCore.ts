// What the compute worker's bundle takes of @tensorflow/tfjs: the package's own index
// (node_modules/@tensorflow/tfjs/dist/index.js) without tfjs-layers, tfjs-converter and tfjs-data,
// which the app does not use (a quarter of the worker bundle): tfjs-core with all its gradients
// and chained ops, and the cpu and webgl backends. The build points the worker's
// `@tensorflow/tfjs` imports here (vite.config.ts, tfjsCoreOnly); Node (CLI, tests) loads the
// whole package, where its size costs nothing.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-backend-webgl';
