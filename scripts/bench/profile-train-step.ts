// Kernel-level profile of one Trainer step (and of one forward pass) on the wasm backend in Node:
//   npx tsx scripts/bench/profile-train-step.ts [dataset/preset] [batch] [top]
// Prints the time per kernel name and the most expensive (kernel, input shapes) pairs. wasm
// kernels run synchronously, so tf.profile's kernelTimeMs is each kernel's wall time; the kernels
// that our own wasm kernels call internally (wasmCalls.ts) count towards the outer kernel.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/data/dataset';
import { makeSchedule } from '../../src/diffusion/schedule';
import { getPreset, type DatasetName, type PresetName } from '../../src/model/presets';
import { UNet } from '../../src/model/unet';
import { nodeWasmDir } from '../../src/engine/backends/nodeWasm';
import { initBackend } from '../../src/engine/backends/select';
import { Trainer } from '../../src/engine/training/trainer';

const [presetArg = 'mnist/small', batchArg = '64', topArg = '25'] = process.argv.slice(2);
const [dataset, name] = presetArg.split('/') as [DatasetName, PresetName];
const batch = Number(batchArg);
const top = Number(topArg);

type Kernels = Awaited<ReturnType<typeof tf.profile>>['kernels'];

function table(title: string, kernels: Kernels): void {
  const byName = new Map<string, { ms: number; n: number }>();
  const byShape = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const add = (m: Map<string, { ms: number; n: number }>, key: string) => {
      const e = m.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n += 1;
      m.set(key, e);
    };
    add(byName, k.name);
    add(byShape, `${k.name} ${JSON.stringify(k.inputShapes)}`);
  }
  const fmt = (m: Map<string, { ms: number; n: number }>) =>
    [...m]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([key, e]) => `${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)}x  ${key}`)
      .join('\n');
  console.log(`\n== ${title}: ${kernels.length} kernels, ${total.toFixed(0)} ms in kernels`);
  console.log(fmt(byName));
  console.log('-- by input shapes');
  console.log(fmt(byShape));
}

await initBackend((process.env.BACKEND ?? 'wasm') as 'wasm' | 'cpu', { wasmPaths: nodeWasmDir() });
const config = getPreset(dataset, name);
const unet = UNet.create(config, { seed: 0 });
const s = config.imageSize;
const ds: Dataset = {
  name: dataset,
  split: 'train',
  height: s,
  width: s,
  channels: config.inChannels,
  classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  count: batch,
  images: new Uint8Array(batch * s * s * config.inChannels).map((_, i) => (i * 97) % 256),
  labels: new Uint8Array(batch).map((_, i) => i % 10),
};
const trainer = new Trainer(unet, ds, makeSchedule({ kind: 'linear', T: 1000 }), {
  batchSize: batch,
  learningRate: 2e-4,
  reportEvery: 1000,
});
for (let i = 0; i < 2; i++) await trainer.step();
await trainer.flush();

const x = tf.randomNormal([batch, s, s, config.inChannels]) as tf.Tensor4D;
const t = tf.tensor1d(
  new Int32Array(batch).map((_, i) => (i * 389) % 1000),
  'int32',
);
const y = tf.tensor1d(
  new Int32Array(batch).map((_, i) => i % 10),
  'int32',
);
tf.dispose(unet.apply(x, t, y));
let start = performance.now();
const fwd = await tf.profile(() => unet.apply(x, t, y));
console.log(`forward wall ${(performance.now() - start).toFixed(0)} ms (profiled)`);
tf.dispose(fwd.result as tf.Tensor);
table('forward', fwd.kernels);

start = performance.now();
const step = await tf.profile(async () => {
  await trainer.step();
  return [];
});
console.log(`\ntrain step wall ${(performance.now() - start).toFixed(0)} ms (profiled)`);
table('train step (no readback)', step.kernels);
start = performance.now();
const report = await tf.profile(async () => {
  await trainer.flush();
  return [];
});
console.log(`\nreport wall ${(performance.now() - start).toFixed(0)} ms (profiled)`);
table('report', report.kernels);
tf.dispose([x, t, y]);
trainer.dispose();
unet.dispose();
