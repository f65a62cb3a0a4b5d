// Types of build-wasm.mjs for its test (tsconfig has no allowJs).
/** Absolute path of the generated module, src/engine/backends/simdWasm.ts. */
export const OUTPUT: string;
/** The generated module's text: the AssemblyScript kernels compiled, as base64, formatted. */
export function generate(): Promise<string>;
