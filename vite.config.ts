/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { viteStaticCopy } from 'vite-plugin-static-copy';

// Relative base so `npm run build` output works from any static host, in any sub-folder.
export default defineConfig({
  base: './',
  plugins: [
    react(),
    // The pretrained checkpoints (models/<name>/model.json + weights.bin) are served as they are,
    // at ./models/<name>/ beside the page, in dev and in dist/; only the checkpoint files travel,
    // with the judge's reference statistics (models/mnist-classifier/reference-stats.json).
    viteStaticCopy({
      targets: [{ src: 'models/*/{model.json,weights.bin,reference-stats.json}', dest: '.' }],
    }),
  ],
  worker: { format: 'es' },
  // Pre-bundle tfjs and its backends in one pass, so the dev server serves one copy of tfjs-core
  // (a backend found later would be bundled with its own copy and register on the wrong one).
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      'comlink',
    ],
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
