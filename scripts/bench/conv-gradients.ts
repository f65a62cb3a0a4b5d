// Micro-benchmark of conv2d and its gradients on the wasm backend (one thread, as in the app's
// worker). Run: npx tsx scripts/bench/conv-gradients.ts [reps]
// Prints the median ms of each piece; wasm kernels run synchronously, so timing the call is exact.
// The forward reuses one filter, so XNNPACK's packed-weight cache favours it slightly: in training
// every step brings new weights, as every backward call here brings new dy-derived filters.
import * as tf from '@tensorflow/tfjs';
import { nodeWasmDir } from '../../src/engine/backends/nodeWasm';
import { originalKernel } from '../../src/engine/backends/registry';
import { initBackend } from '../../src/engine/backends/select';

interface Shape {
  label: string;
  n: number;
  h: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
}

const SHAPES: Shape[] = [
  { label: 'FINDINGS 32x32 32->32', n: 64, h: 32, cin: 32, cout: 32, k: 3, stride: 1 },
  { label: 'U-Net 28x28 32->32', n: 64, h: 28, cin: 32, cout: 32, k: 3, stride: 1 },
  { label: 'U-Net 28->14 down 32->32', n: 64, h: 28, cin: 32, cout: 32, k: 3, stride: 2 },
  { label: 'U-Net 14x14 64->64', n: 64, h: 14, cin: 64, cout: 64, k: 3, stride: 1 },
  { label: 'U-Net 14x14 1x1 32->64', n: 64, h: 14, cin: 32, cout: 64, k: 1, stride: 1 },
  { label: 'U-Net 14->7 down 64->64', n: 64, h: 14, cin: 64, cout: 64, k: 3, stride: 2 },
  { label: 'U-Net 7x7 64->64', n: 64, h: 7, cin: 64, cout: 64, k: 3, stride: 1 },
];

const reps = Number(process.argv[2] ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

type Op = () => tf.Tensor[];

/**
 * Median ms of each op. Ops run round-robin (one of each per round, after one warm-up round) so
 * that load from other processes on a shared machine hits all of them alike.
 */
async function timeRoundRobin(ops: Record<string, Op>, rounds: number, slowRounds: number) {
  const ms: Record<string, number[]> = {};
  for (let round = 0; round <= rounds; round++) {
    for (const [name, op] of Object.entries(ops)) {
      if (name === 'originalDx' && round > slowRounds) continue;
      const t0 = performance.now();
      const outs = op();
      const t1 = performance.now();
      await Promise.all(outs.map((t) => t.data()));
      tf.dispose(outs);
      if (round > 0) (ms[name] ??= []).push(t1 - t0);
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
}

async function bench(s: Shape) {
  const x = tf.randomNormal([s.n, s.h, s.h, s.cin]) as tf.Tensor4D;
  const w = tf.randomNormal([s.k, s.k, s.cin, s.cout]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const attrs = { strides: s.stride, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const inputAttrs = { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap;
  const filterAttrs = { ...attrs, filterShape: w.shape } as unknown as tf.NamedAttrMap;
  const engine = tf.engine();
  const backend = tf.backend();
  const original = originalKernel(tf.Conv2DBackpropInput, 'wasm');
  const ops: Record<string, Op> = {
    forward: () => [tf.conv2d(x, w, s.stride, 'same')],
    originalDx: () => {
      const out = original({ inputs: { dy, filter: w }, backend, attrs: inputAttrs });
      return [engine.makeTensorFromTensorInfo(out as tf.TensorInfo)];
    },
    fastDx: () => [
      engine.runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, inputAttrs) as tf.Tensor,
    ],
    fastDw: () => [engine.runKernel(tf.Conv2DBackpropFilter, { x, dy }, filterAttrs) as tf.Tensor],
    grads: () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s.stride, 'same')),
      )([x, w]),
  };
  const row = await timeRoundRobin(ops, reps, 3);
  tf.dispose([x, w, y, dy]);
  return row;
}

const choice = await initBackend('wasm', { wasmPaths: nodeWasmDir() });
console.log(`backend ${choice.backend}, median of ${reps} runs (original dx: of 3), ms`);
console.log(
  'shape'.padEnd(28) +
    ['forward', 'orig dx', 'fast dx', 'fast dw', 'tf.grads', '(dx+dw)/fwd']
      .map((h) => h.padStart(12))
      .join(''),
);
for (const s of SHAPES) {
  const r = await bench(s);
  const cells = [
    r.forward,
    r.originalDx,
    r.fastDx,
    r.fastDw,
    r.grads,
    (r.fastDx + r.fastDw) / r.forward,
  ];
  console.log(
    `${s.label} (n=${s.n})`.padEnd(28) + cells.map((c) => c.toFixed(1).padStart(12)).join(''),
  );
}
