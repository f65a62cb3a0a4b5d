// Conv2DBackpropFilter on WebGPU: tfjs 4.22's own kernel against ours (one matMul per tap,
// src/engine/backends/convGradFilterTaps.ts), per U-Net shape, beside the forward conv, and each
// checked against the cpu backend. Node with Dawn's bindings (see src/engine/backends/nodeWebgpu.ts):
//   npm install --no-save webgpu@0.6.2
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx scripts/bench/webgpu-conv-filter.ts [reps] [batch]
// Prints one JSON line per shape: forwardMs, originalMs, tapsMs (medians, each read back), and
// the relative error of each gradient against cpu.
import * as tf from '@tensorflow/tfjs';
import { provideNodeWebGpu } from '../../src/engine/backends/nodeWebgpu';
import { originalKernel } from '../../src/engine/backends/registry';
import { initBackend } from '../../src/engine/backends/select';
import { relError, randomValues } from '../../src/engine/backends/testing';

const reps = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 16);

const SHAPES = [
  { label: '9x9 stride 2 valid 3->4', h: 9, cin: 3, cout: 4, k: 3, stride: 2 },
  { label: '28x28 32->32', h: 28, cin: 32, cout: 32, k: 3, stride: 1 },
  { label: '28->14 down 32->32', h: 28, cin: 32, cout: 32, k: 3, stride: 2 },
  { label: '14x14 64->64', h: 14, cin: 64, cout: 64, k: 3, stride: 1 },
  { label: '14x14 1x1 32->64', h: 14, cin: 32, cout: 64, k: 1, stride: 1 },
  { label: '7x7 64->64', h: 7, cin: 64, cout: 64, k: 3, stride: 1 },
];

async function timeMs(f: () => tf.Tensor): Promise<{ ms: number; values: Float32Array }> {
  const times: number[] = [];
  let values: Float32Array = new Float32Array();
  for (let i = 0; i < reps + 1; i++) {
    const start = performance.now();
    const out = f();
    values = (await out.data()) as Float32Array;
    out.dispose();
    if (i > 0) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: Number(times[times.length >> 1].toFixed(1)), values };
}

async function main(): Promise<void> {
  const missing = await provideNodeWebGpu();
  if (missing) throw new Error(missing);
  const choice = await initBackend('webgpu');
  if (choice.backend !== 'webgpu')
    throw new Error(`webgpu did not start: ${choice.fallbackReason}`);
  const original = originalKernel(tf.Conv2DBackpropFilter, 'webgpu');
  for (const s of SHAPES) {
    const x = tf.tensor4d(randomValues(n * s.h * s.h * s.cin, 1), [n, s.h, s.h, s.cin]);
    const w = tf.tensor4d(randomValues(s.k * s.k * s.cin * s.cout, 2), [s.k, s.k, s.cin, s.cout]);
    const y = tf.conv2d(x, w, s.stride, 'same');
    const dy = tf.tensor4d(randomValues(y.size, 3), y.shape);
    const attrs = { strides: s.stride, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape };
    const forward = await timeMs(() => tf.conv2d(x, w, s.stride, 'same'));
    const viaOriginal = await timeMs(() =>
      tf
        .engine()
        .makeTensorFromTensorInfo(
          original({ inputs: { x, dy }, backend: tf.backend(), attrs }) as tf.TensorInfo,
        ),
    );
    const viaTaps = await timeMs(
      () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor,
    );
    await tf.setBackend('cpu');
    const xc = tf.tensor4d(await x.data(), x.shape);
    const dyc = tf.tensor4d(await dy.data(), dy.shape);
    const want = tf
      .engine()
      .runKernel(tf.Conv2DBackpropFilter, { x: xc, dy: dyc }, attrs) as tf.Tensor;
    const wantValues = (await want.data()) as Float32Array;
    tf.dispose([xc, dyc, want]);
    await tf.setBackend('webgpu');
    console.log(
      JSON.stringify({
        shape: s.label,
        batch: n,
        forwardMs: forward.ms,
        originalMs: viaOriginal.ms,
        tapsMs: viaTaps.ms,
        originalRelErr: relError(viaOriginal.values, wantValues),
        tapsRelErr: relError(viaTaps.values, wantValues),
        tapsVsOriginal: relError(viaTaps.values, viaOriginal.values),
      }),
    );
    tf.dispose([x, w, y, dy]);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
