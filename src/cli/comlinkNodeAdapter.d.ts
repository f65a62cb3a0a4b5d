// Comlink ships its Node adapter (worker_threads endpoints) as an .mjs file with its types
// beside it under another name; this points the .mjs import at those types.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
