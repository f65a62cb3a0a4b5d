// Picks the backend by measurement, not by name: a WebGPU adapter is not always a GPU. On a machine
// without one, Chromium offers SwiftShader, a software adapter that runs WebGPU on the CPU about
// two orders of magnitude slower than wasm here (README: 23 s against 0.23 s per sampled image).
// So: a software adapter is not a candidate; every other backend that initialises runs the same
// small probe, and the fastest wins. The decision can be remembered per device (the page keeps it
// in localStorage; a worker has no storage of its own) so later loads skip the probe.
import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  type BackendChoice,
  type BackendName,
  type InitBackendOptions,
} from './select';

export interface BackendMeasurement {
  backend: BackendName;
  /** Median wall time of the probe (ms), after one warm-up run. */
  ms: number;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser (SwiftShader, llvmpipe, WARP…): WebGPU on the CPU. */
  software: boolean;
}

export interface BackendDecision extends BackendChoice {
  /** How it was chosen, in words for the badge. */
  reason: string;
  how: 'forced' | 'remembered' | 'measured' | 'only';
  /** The probe's times, fastest first (remembered ones when the decision was remembered). */
  measurements: BackendMeasurement[];
  adapter?: AdapterDescription;
  /** Identifies the device a decision holds for: the adapter and the core count. */
  deviceKey: string;
}

/** A decision kept from an earlier load. */
export interface RememberedDecision {
  backend: BackendName;
  deviceKey: string;
  measurements: BackendMeasurement[];
}

export interface ChooseOptions extends InitBackendOptions {
  /** `?backend=`: use this one (falling back down the chain only if it cannot start). */
  forced?: BackendName;
  remembered?: RememberedDecision;
  /** Probe runs timed after the warm-up (median taken). Default 3. */
  probeRuns?: number;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp/i;

/** Classifies an adapter from its info (GPUAdapterInfo fields; isFallbackAdapter where offered). */
export function describeAdapter(info: Partial<Record<string, unknown>>): AdapterDescription {
  const field = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
  const d = {
    vendor: field('vendor'),
    architecture: field('architecture'),
    device: field('device'),
    description: field('description'),
  };
  const text = `${d.vendor} ${d.architecture} ${d.device} ${d.description}`;
  return { ...d, software: info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(text) };
}

async function probeAdapter(): Promise<AdapterDescription | undefined> {
  const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
  if (gpu === undefined) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter === null) return undefined;
    // `info` is the current API; older Chromium had requestAdapterInfo().
    const legacy = adapter as unknown as { requestAdapterInfo?: () => Promise<unknown> };
    const info =
      (adapter as unknown as { info?: unknown }).info ??
      (legacy.requestAdapterInfo ? await legacy.requestAdapterInfo() : {});
    const plain: Record<string, unknown> = {};
    for (const k of ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter']) {
      plain[k] = (info as Record<string, unknown>)[k];
    }
    return describeAdapter(plain);
  } catch {
    return undefined;
  }
}

/**
 * Whether WebGL here draws in software, from its unmasked renderer string (e.g. "ANGLE (Google,
 * Vulkan 1.3.0 (SwiftShader Device (Subzero) ...), SwiftShader driver)"); false when unknown.
 */
export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return renderer !== undefined && SOFTWARE_ADAPTER.test(renderer);
}

/**
 * The WebGL renderer string of an OffscreenCanvas context (what tfjs's webgl backend gets in a
 * worker); undefined where there is none or the browser hides it.
 */
function probeWebglRenderer(): string | undefined {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as unknown;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof renderer === 'string' ? renderer : undefined;
  } catch {
    return undefined;
  }
}

export function deviceKeyOf(adapter: AdapterDescription | undefined, cores: number): string {
  const a = adapter
    ? `${adapter.vendor}|${adapter.architecture}|${adapter.device}|${adapter.description}`
    : 'no-adapter';
  return `${a}|cores=${cores}`;
}

/**
 * A small piece of the work the app does (3×3 convolutions at U-Net widths, a GroupNorm-like
 * moments pass and a matmul, batch 8 at 16×16), timed with a readback after each run.
 */
export async function runProbe(runs = 3): Promise<number> {
  const x = tf.randomNormal<tf.Rank.R4>([8, 16, 16, 32], 0, 1, 'float32', 1);
  const w = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 32], 0, 0.1, 'float32', 2);
  const m = tf.randomNormal([256, 256], 0, 0.1, 'float32', 3);
  const once = async () => {
    const y = tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (let i = 0; i < 3; i++) {
        h = tf.relu(tf.conv2d(h, w, 1, 'same'));
        const { mean, variance } = tf.moments(h, [1, 2], true);
        h = h.sub(mean).div(variance.add(1e-5).sqrt());
      }
      return tf.matMul(h.reshape([-1, 256]), m).sum();
    });
    await y.data();
    y.dispose();
  };
  try {
    await once(); // compiles shaders / warms caches
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    x.dispose();
    w.dispose();
    m.dispose();
  }
}

function ratio(slow: number, fast: number): string {
  const r = slow / Math.max(fast, 1e-3);
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

/** Says what was measured, e.g. "measured: wasm 12 ms, webgpu 35 ms (2.9× slower)". */
export function describeMeasurements(ms: BackendMeasurement[]): string {
  if (ms.length === 0) return '';
  const best = ms[0];
  const rest = ms
    .slice(1)
    .map((m) => `${m.backend} ${Math.round(m.ms)} ms (${ratio(m.ms, best.ms)} slower)`);
  return [`${best.backend} ${Math.round(best.ms)} ms`, ...rest].join(', ');
}

/** Initialises the backend the app should use here, and says why. */
export async function chooseBackend(opts: ChooseOptions = {}): Promise<BackendDecision> {
  // Read first: starting threaded wasm overrides hardwareConcurrency for a moment (withThreadCap).
  const cores = typeof navigator !== 'undefined' ? (navigator.hardwareConcurrency ?? 1) : 1;
  // A remembered backend starts while the adapter is asked for (both take 0.1-0.3 s here, and
  // the adapter only decides whether the memory still holds for this device): a later load is
  // ready at the slower of the two, not after both. A memory that no longer holds costs that start.
  const rememberedStart =
    opts.remembered && !opts.forced ? initBackend(opts.remembered.backend, opts) : undefined;
  // Awaited below only if the memory holds; its failure then surfaces there.
  rememberedStart?.catch(() => undefined);
  const adapter = await probeAdapter();
  const deviceKey = deviceKeyOf(adapter, cores);
  const softwareNote =
    adapter?.software === true
      ? `WebGPU here is a software adapter (${adapter.architecture || adapter.vendor || 'CPU'}): it runs on the CPU`
      : undefined;

  if (opts.forced) {
    const choice = await initBackend(opts.forced, opts);
    return {
      ...choice,
      how: 'forced',
      reason: `forced by ?backend=${opts.forced}`,
      measurements: [],
      adapter,
      deviceKey,
    };
  }

  const remembered = opts.remembered;
  if (remembered && rememberedStart && remembered.deviceKey === deviceKey) {
    const choice = await rememberedStart;
    if (choice.backend === remembered.backend) {
      return {
        ...choice,
        how: 'remembered',
        reason: `fastest when measured on this device (${describeMeasurements(remembered.measurements)})`,
        measurements: remembered.measurements,
        adapter,
        deviceKey,
      };
    }
  }

  const candidates: BackendName[] = [];
  const skipped: string[] = [];
  if (adapter && !adapter.software) candidates.push('webgpu');
  else skipped.push(softwareNote ?? 'webgpu: no WebGPU adapter');
  // A software WebGL (SwiftShader again, where WebGPU is) is not a candidate either: its probe
  // alone compiles shaders on the CPU for seconds (2.6 s here) before wasm is even tried.
  const webglRenderer = probeWebglRenderer();
  if (isSoftwareRenderer(webglRenderer)) {
    const name = webglRenderer?.match(SOFTWARE_ADAPTER)?.[0] ?? 'software';
    skipped.push(`webgl: a software renderer here too (${name}), so it was not tried`);
  } else {
    candidates.push('webgl');
  }
  candidates.push('wasm');

  const measurements: BackendMeasurement[] = [];
  for (const name of candidates) {
    const choice = await initBackend(name, opts);
    if (choice.backend !== name) {
      if (name !== 'webgl') skipped.push(`${name}: ${choice.fallbackReason ?? 'did not start'}`);
      continue;
    }
    try {
      measurements.push({ backend: name, ms: await runProbe(opts.probeRuns ?? 3) });
    } catch (e) {
      skipped.push(`${name}: the probe failed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  measurements.sort((a, b) => a.ms - b.ms);
  const best = measurements[0]?.backend;
  // Nothing measured (e.g. wasm binaries missing): the plain chain decides.
  const choice = await initBackend(best, opts);
  const notes = skipped.length ? `; ${skipped.join('; ')}` : '';
  if (measurements.length <= 1) {
    return {
      ...choice,
      how: 'only',
      reason: `the only fast backend that started here${notes}`,
      measurements,
      adapter,
      deviceKey,
    };
  }
  return {
    ...choice,
    how: 'measured',
    reason: `fastest by measurement (${describeMeasurements(measurements)})${notes}`,
    measurements,
    adapter,
    deviceKey,
  };
}
