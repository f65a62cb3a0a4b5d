// Full U-Net parity, wasm vs cpu: ε and every parameter's gradient for the tiny mnist and cifar10
// configs (and the small mnist one at batch 2), through runUNetParity, the function the e2e test
// calls in the worker for WebGPU. Plus: the comparison does fail on wrong values, and the GPU
// tolerance covers what WGSL's sin/cos error bound may legitimately change.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../model/presets';
import { UNet } from '../model/unet';
import { initWasmForTests } from './backends/testing';
import {
  compareArrays,
  compareParity,
  CPU_TOLERANCE,
  evaluateUNet,
  GPU_TOLERANCE,
  parityInputs,
  runUNetParity,
  summariseParity,
  type ParityReport,
  type ParityValues,
} from './parity';

beforeAll(initWasmForTests);

function describeReport(r: ParityReport): string {
  const cases = r.cases.map(
    (c) =>
      `${c.dataset}/${c.preset}: ε rel ${c.outputRelErr.toExponential(2)} ` +
      `(abs ${c.outputMaxAbsDiff.toExponential(2)}), grad rel ${c.gradRelErr.toExponential(2)} ` +
      `(${c.worstParam})`,
  );
  return `${r.backend} vs cpu, ${r.ms.toFixed(0)} ms: ${cases.join('; ')}`;
}

describe('runUNetParity', () => {
  it('wasm matches cpu on the tiny mnist and cifar10 U-Nets (ε and all gradients)', async () => {
    const before = tf.memory().numTensors;
    const r = await runUNetParity({ backend: 'wasm' });
    console.log(describeReport(r));
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(before);
    expect(r.leakedTensors).toBe(0);
    expect(r.tolerance).toEqual(CPU_TOLERANCE);
    expect(r.cases.map((c) => c.dataset)).toEqual(['mnist', 'cifar10']);
    for (const c of r.cases) {
      // Every gradient is non-trivial (zeroInit: false) and compared.
      expect(c.perParam.length).toBeGreaterThan(100);
      for (const p of c.perParam) expect(p.scale, p.name).toBeGreaterThan(0);
      expect(c.perParam.reduce((n, p) => n + p.size, 0)).toBe(c.numParams);
      expect(Math.abs(c.loss.backend - c.loss.cpu)).toBeLessThan(1e-5 * c.loss.cpu);
      expect(c.outputRelErr).toBeLessThan(CPU_TOLERANCE.output);
      expect(c.gradRelErr).toBeLessThan(CPU_TOLERANCE.grad);
      expect(c.pass).toBe(true);
    }
    expect(r.pass).toBe(true);
  });

  it('restores the original backend when the backend under test cannot start', async () => {
    await tf.setBackend('cpu');
    try {
      const before = tf.memory().numTensors;
      await expect(
        runUNetParity({ backend: 'no-such-backend', datasets: ['mnist'] }),
      ).rejects.toThrow(/no-such-backend/);
      expect(tf.getBackend()).toBe('cpu');
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});

describe('compareParity', () => {
  const meta = { dataset: 'mnist' as const, preset: 'tiny' as const, numParams: 6 };
  const want: ParityValues = {
    output: Float32Array.from([0.5, -1, 2]),
    loss: 1,
    grads: [
      { name: 'a', values: Float32Array.from([1e-3, -2e-3]) },
      { name: 'b', values: Float32Array.from([10, 20, -30, 40]) },
    ],
  };
  const copy = (v: ParityValues): ParityValues => ({
    output: v.output.slice(),
    loss: v.loss,
    grads: v.grads.map((g) => ({ name: g.name, values: g.values.slice() })),
  });

  it('passes identical values and flags perturbed ones', () => {
    expect(compareParity(copy(want), want, CPU_TOLERANCE, meta).pass).toBe(true);

    // A gradient off by 1% of its own scale fails, and is named, even though it is tiny in
    // absolute terms next to another parameter's.
    const badGrad = copy(want);
    badGrad.grads[0].values[1] += 2e-5;
    const g = compareParity(badGrad, want, CPU_TOLERANCE, meta);
    expect(g.pass).toBe(false);
    expect(g.worstParam).toBe('a');
    expect(g.gradRelErr).toBeCloseTo(0.01, 4);
    expect(g.outputRelErr).toBe(0);
    // ...but a 1% error is within a loose enough tolerance.
    expect(compareParity(badGrad, want, { output: 1e-4, grad: 0.02 }, meta).pass).toBe(true);

    const badOut = copy(want);
    badOut.output[2] = 2.01;
    const o = compareParity(badOut, want, CPU_TOLERANCE, meta);
    expect(o.pass).toBe(false);
    expect(o.outputMaxAbsDiff).toBeCloseTo(0.01, 5);
    expect(o.outputRelErr).toBeCloseTo(0.005, 5);

    const nan = copy(want);
    nan.grads[1].values[3] = NaN;
    const n = compareParity(nan, want, CPU_TOLERANCE, meta);
    expect(n.pass).toBe(false);
    expect(n.worstParam).toBe('b');

    const report = summariseParity(
      'fake',
      'tiny',
      2,
      [g, compareParity(copy(want), want, CPU_TOLERANCE, meta)],
      CPU_TOLERANCE,
      { leakedTensors: 0, ms: 1 },
    );
    expect(report.pass).toBe(false);
    expect(report.worstParam).toBe('mnist/a');
    expect(
      summariseParity('fake', 'tiny', 2, [], CPU_TOLERANCE, { leakedTensors: 0, ms: 0 }).pass,
    ).toBe(false);
  });

  it('compares arrays relative to the reference scale', () => {
    const a = Float32Array.from([1, 2.5]);
    const b = Float32Array.from([1, 2]);
    expect(compareArrays(a, b)).toEqual({ maxAbsDiff: 0.5, scale: 2, relErr: 0.25 });
    expect(compareArrays(a, Float32Array.from([1])).relErr).toBe(Infinity);
    expect(compareArrays(Float32Array.from([1e-9]), new Float32Array(1)).relErr).toBeCloseTo(1e-9);
    expect(compareArrays(Float32Array.from([NaN]), new Float32Array(1)).relErr).toBeNaN();
  });
});

describe('GPU tolerance', () => {
  // Emulates the sin/cos error WGSL permits (absolute 2^-11) on the highest-frequency entries of
  // the time embedding by shifting t, and checks that GPU_TOLERANCE accepts the change it causes
  // (runs on wasm: the effect of the shift is what matters, not the backend).
  it('accepts a time embedding off by the WGSL sin/cos error bound', async () => {
    const config = getPreset('mnist', 'tiny');
    const inputs = parityInputs(config, 2, 1);
    const unet = UNet.create(config, { seed: 1, zeroInit: false });
    const weights = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const [name, v] of unet.params) {
      weights.set(name, { shape: [...v.shape], values: await v.data<'float32'>() });
    }
    unet.dispose();
    const want = await evaluateUNet(config, weights, inputs);
    const shifted = { ...inputs, t: inputs.t.map((t) => t + 2 ** -11) };
    const got = await evaluateUNet(config, weights, shifted);
    const c = compareParity(got, want, GPU_TOLERANCE, {
      dataset: 'mnist',
      preset: 'tiny',
      numParams: 0,
    });
    console.log(
      `t + 2^-11: ε rel ${c.outputRelErr.toExponential(2)}, ` +
        `grad rel ${c.gradRelErr.toExponential(2)} (${c.worstParam})`,
    );
    // Far above wasm-vs-cpu noise, far below the GPU bounds.
    expect(c.outputRelErr).toBeGreaterThan(10 * 2e-6);
    expect(c.outputRelErr).toBeLessThan(GPU_TOLERANCE.output / 5);
    expect(c.gradRelErr).toBeLessThan(GPU_TOLERANCE.grad / 5);
    expect(c.pass).toBe(true);
    expect(compareParity(got, want, CPU_TOLERANCE, { ...c, numParams: 0 }).pass).toBe(false);
  });
});
