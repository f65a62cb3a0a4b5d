// Time per sampling step in Node: `npx tsx scripts/bench/sampling-step.ts [cpu|wasm] [tiny|small]
// [batch] [steps]`. Random weights (zeroInit: false), MNIST preset, DDIM; the first step is a
// warm-up and is reported separately. Rows: s = 1 (one pass of batch n) and s = 3 (one pass of 2n).
import * as tf from '@tensorflow/tfjs';
import { makeSchedule } from '../../src/diffusion/schedule';
import { getPreset, type PresetName } from '../../src/model/presets';
import { UNet } from '../../src/model/unet';
import { nodeWasmDir } from '../../src/engine/backends/nodeWasm';
import { initBackend } from '../../src/engine/backends/select';
import { SamplingSession } from '../../src/engine/sampling/session';

const [backend = 'wasm', preset = 'tiny', batchArg = '16', stepsArg = '4'] = process.argv.slice(2);
const n = Number(batchArg);
const steps = Number(stepsArg);
const choice = await initBackend(backend === 'cpu' ? 'cpu' : 'wasm', { wasmPaths: nodeWasmDir() });
const model = UNet.create(getPreset('mnist', preset as PresetName), { seed: 1, zeroInit: false });
const schedule = makeSchedule({ kind: 'linear', T: 1000 });
for (const s of [1, 3]) {
  const session = new SamplingSession(model, schedule, {
    n,
    sampler: 'ddim',
    steps: 50,
    classes: new Array<number>(n).fill(1),
    seed: 0,
    guidanceScale: s,
  });
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await session.advance(1);
    await session.current(); // forces the work to finish (and measures the readback too)
    times.push(performance.now() - start);
  }
  session.dispose();
  const rest = times.slice(1);
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  console.log(
    `${choice.backend} mnist/${preset} n=${n} s=${s}: warm-up ${times[0].toFixed(0)} ms, ` +
      `then ${mean.toFixed(0)} ms/step (${rest.map((t) => t.toFixed(0)).join(', ')})`,
  );
}
model.dispose();
console.log(`tensors left after dispose: ${tf.memory().numTensors}`);
