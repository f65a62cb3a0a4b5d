// Lint config: typescript-eslint's recommended rules, plus React hook rules for the UI, plus the
// architecture rule that the main thread never imports tfjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'public/data/',
      'test-results/',
      'playwright-report/',
      'models/',
      // AssemblyScript (its own types; asc checks it: scripts/build-wasm.mjs).
      'src/engine/backends/assembly/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // React hook rules for React code only (Playwright fixtures call a function named `use`).
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The UI and the main thread must never pull in tfjs: all tensor work lives in the worker.
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'tfjs runs only in the worker (src/worker).' },
            {
              group: ['**/engine/**', '**/model/**'],
              message: 'UI talks to the engine through the worker RPC only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
