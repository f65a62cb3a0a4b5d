/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { viteStaticCopy } from 'vite-plugin-static-copy';
import { wasmThreadSource } from './scripts/wasmThreadSource.mjs';

// The Content-Security-Policy lives in index.html's meta tag (so every static host gets it); read
// here so preview sends the very same policy as a header, which also covers the compute worker.
const CSP = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
  readFileSync(new URL('./index.html', import.meta.url), 'utf8'),
)?.[1];
if (!CSP) throw new Error('index.html has no Content-Security-Policy meta tag');

// Cross-origin isolation (COOP + COEP) lets the threaded wasm backend use SharedArrayBuffer; nosniff
// stops a browser from running a file as another type than the server says.
const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Dev only: the hot-reload client talks over a WebSocket and React Refresh adds an inline
 * preamble script, neither of which the production policy allows.
 */
function devCsp(): Plugin {
  return {
    name: 'dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:"),
  };
}

/**
 * Build only, in the worker: `@tensorflow/tfjs` resolves to src/worker/tfjsCore.ts (tfjs-core and
 * its cpu and webgl backends), leaving out tfjs-layers, -converter and -data, which the app does
 * not use: a smaller worker script starts sooner (issue 12: the first grid after page load).
 */
function tfjsCoreOnly(): Plugin {
  const shim = fileURLToPath(new URL('./src/worker/tfjsCore.ts', import.meta.url));
  return {
    name: 'tfjs-core-only',
    apply: 'build',
    enforce: 'pre',
    resolveId(id, importer) {
      return id === '@tensorflow/tfjs' && importer !== shim ? shim : null;
    },
  };
}

// Relative base so `npm run build` output works from any static host, in any sub-folder.
export default defineConfig({
  base: './',
  plugins: [
    react(),
    devCsp(),
    // The pretrained checkpoints (models/<name>/model.json + weights.bin) are served as they are,
    // at ./models/<name>/ beside the page, in dev and in dist/; only the checkpoint files travel,
    // with the judge's reference statistics (models/mnist-classifier/reference-stats.json).
    viteStaticCopy({
      targets: [
        { src: 'models/*/{model.json,weights.bin,reference-stats.json}', dest: '.' },
        // A latent diffusion model: latent.json beside its autoencoder/ and unet/ checkpoints.
        { src: 'models/*/latent.json', dest: '.' },
        // Checkpoints one folder down: a latent model's autoencoder/ and unet/, a cascade's
        // stages (models/mnist-cascade/{base,sr,sr-noaug}/ with their stage.json).
        { src: 'models/*/*/{model.json,weights.bin,stage.json}', dest: '.' },
      ],
    }),
  ],
  // The worker bundles tfjs-backend-wasm: keep its threaded build's pthread source intact through
  // minification (scripts/wasmThreadSource.mjs; scripts/check-bundle.mjs checks the result).
  worker: { format: 'es', plugins: () => [tfjsCoreOnly(), wasmThreadSource()] },
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
  server: { host: '127.0.0.1', port: 5173, headers: SECURITY_HEADERS },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    headers: { ...SECURITY_HEADERS, 'Content-Security-Policy': CSP },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
