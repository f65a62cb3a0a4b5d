// WebGPU in Node, for benchmarks and parity checks: Dawn's Node bindings (npm `webgpu`, see
// FINDINGS "WebGPU from Node") give Node a `navigator.gpu` that tfjs-backend-webgpu can use. The
// package is not a dependency (a large prebuilt binary that the app never needs): it is loaded
// only when a command asks for webgpu, and a missing package is reported with how to add it.

/** The npm package and version the FINDINGS were measured with. */
export const NODE_WEBGPU_PACKAGE = 'webgpu@0.6.2';

export const NODE_WEBGPU_HELP =
  `WebGPU in Node needs Dawn's bindings: npm install --no-save ${NODE_WEBGPU_PACKAGE}; ` +
  'without a GPU driver also apt-get install -y libvulkan1 chromium and ' +
  'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader: correct, not fast)';

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

function isDawnModule(m: unknown): m is DawnModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.create === 'function' && typeof r.globals === 'object' && r.globals !== null;
}

/**
 * Gives Node a `navigator.gpu` from the `webgpu` package, once. Resolves to null when WebGPU is
 * there (already, or now), else to why not. Call before tfjs-backend-webgpu is first imported.
 */
export async function provideNodeWebGpu(
  load: (specifier: string) => Promise<unknown> = (s) => import(/* @vite-ignore */ s),
): Promise<string | null> {
  if (typeof navigator !== 'undefined' && navigator.gpu !== undefined) return null;
  // A computed specifier keeps TypeScript and bundlers from requiring the optional package.
  const specifier = NODE_WEBGPU_PACKAGE.split('@')[0];
  let loaded: unknown;
  try {
    loaded = await load(specifier);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return `the ${specifier} package did not load (${why}). ${NODE_WEBGPU_HELP}`;
  }
  const mod = isDawnModule(loaded) ? loaded : (loaded as { default?: unknown }).default;
  if (!isDawnModule(mod))
    return `the ${specifier} package has no create()/globals. ${NODE_WEBGPU_HELP}`;
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  // Node 21+ defines a read-only navigator; define the property rather than assigning it.
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
  return null;
}
