import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  Classifier,
  classifierFlops,
  classifierParamSpecs,
  MNIST_CLASSIFIER,
  type ClassifierConfig,
} from './classifier';
import { maxAbsDiff, randomValues } from './testUtil';

const tiny: ClassifierConfig = {
  imageSize: 6,
  inChannels: 1,
  numClasses: 3,
  channels: [2, 3],
  featureDim: 4,
};

/** Plain-JS 'same' 3x3 conv + bias + ReLU on NHWC, TF padding (extra pad at bottom/right). */
function convRef(
  x: number[],
  [b, h, w, cin]: number[],
  wt: ArrayLike<number>,
  bias: ArrayLike<number>,
  cout: number,
  stride: number,
): { y: number[]; shape: number[] } {
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const padTop = Math.floor(Math.max((oh - 1) * stride + 3 - h, 0) / 2);
  const padLeft = Math.floor(Math.max((ow - 1) * stride + 3 - w, 0) / 2);
  const y: number[] = [];
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let o = 0; o < cout; o++) {
          let s = bias[o];
          for (let di = 0; di < 3; di++) {
            for (let dj = 0; dj < 3; dj++) {
              const r = i * stride + di - padTop;
              const c = j * stride + dj - padLeft;
              if (r < 0 || r >= h || c < 0 || c >= w) continue;
              for (let k = 0; k < cin; k++) {
                s += x[((n * h + r) * w + c) * cin + k] * wt[((di * 3 + dj) * cin + k) * cout + o];
              }
            }
          }
          y.push(Math.max(0, s));
        }
      }
    }
  }
  return { y, shape: [b, oh, ow, cout] };
}

function denseRef(x: number[], n: number, nin: number, w: ArrayLike<number>, b: ArrayLike<number>) {
  const nout = b.length;
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < nout; o++) {
      let s = b[o];
      for (let k = 0; k < nin; k++) s += x[i * nin + k] * w[k * nout + o];
      y.push(s);
    }
  }
  return y;
}

describe('Classifier', () => {
  it('computes conv-ReLU x4 (strides 1, 2, 1, 2) -> dense-ReLU features -> dense logits', async () => {
    const model = Classifier.create(tiny, { seed: 3 });
    // Non-zero biases, so that their use is checked too.
    for (const [name, v] of model.params) {
      if (name.endsWith('.b')) v.assign(tf.tensor1d(randomValues(v.size, v.size + 7)));
    }
    const batch = 2;
    const input = randomValues(batch * 36, 5);
    const x = tf.tensor4d(input, [batch, 6, 6, 1]);
    const { logits, features } = model.apply(x);
    expect(logits.shape).toEqual([batch, 3]);
    expect(features.shape).toEqual([batch, 4]);

    const p = async (name: string) => model.params.get(name)!.data();
    let h = { y: input, shape: [batch, 6, 6, 1] };
    const layers: Array<[string, number, number]> = [
      ['conv1', 2, 1],
      ['conv2', 2, 2],
      ['conv3', 3, 1],
      ['conv4', 3, 2],
    ];
    for (const [name, cout, stride] of layers) {
      h = convRef(h.y, h.shape, await p(`${name}.w`), await p(`${name}.b`), cout, stride);
    }
    expect(h.shape).toEqual([batch, 2, 2, 3]);
    const feat = denseRef(h.y, batch, 12, await p('features.w'), await p('features.b')).map((v) =>
      Math.max(0, v),
    );
    const logit = denseRef(feat, batch, 4, await p('logits.w'), await p('logits.b'));
    expect(maxAbsDiff(await features.data(), feat)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await logits.data(), logit)).toBeLessThan(1e-5);
    tf.dispose([x, logits, features]);
    model.dispose();
  });

  it('is deterministic in the seed and differs between seeds', async () => {
    const a = Classifier.create(tiny, { seed: 1 });
    const b = Classifier.create(tiny, { seed: 1 });
    const c = Classifier.create(tiny, { seed: 2 });
    const w = async (m: Classifier) => Array.from(await m.params.get('conv3.w')!.data());
    expect(await w(a)).toEqual(await w(b));
    expect(await w(a)).not.toEqual(await w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('passes a gradient to every parameter and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const model = Classifier.create(tiny, { seed: 4 });
    const x = tf.tensor4d(randomValues(3 * 36, 9), [3, 6, 6, 1]);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3));
    const vars = [...model.params.values()];
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x).logits) as tf.Scalar,
      vars,
    );
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      const sum = tf.tidy(() => tf.sum(tf.abs(g)));
      const norm = (await sum.data())[0];
      sum.dispose();
      expect(norm, v.name).toBeGreaterThan(0);
    }
    tf.dispose([value, x, labels, ...Object.values(grads)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a wrong input shape and an invalid config', () => {
    const model = Classifier.create(tiny);
    const x = tf.zeros([1, 5, 5, 1]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(/x must be \[B, 6, 6, 1\], got \[1, 5, 5, 1\]/);
    x.dispose();
    model.dispose();
    expect(() => Classifier.create({ ...tiny, numClasses: 1 })).toThrow(/numClasses >= 2/);
    expect(() => classifierParamSpecs({ ...tiny, featureDim: 0 })).toThrow(/invalid/);
  });

  it('keeps the MNIST judge cheap: ~15 MFLOP per image and under 0.3M parameters', () => {
    // conv1 28²·9·1·32, conv2 14²·9·32·32, conv3 14²·9·32·64, conv4 7²·9·64·64,
    // dense 7²·64·64 and 64·10 multiply-adds, 2 FLOPs each.
    const macs =
      784 * 9 * 32 + 196 * 9 * 32 * 32 + 196 * 9 * 32 * 64 + 49 * 9 * 64 * 64 + 49 * 64 * 64 + 640;
    expect(classifierFlops(MNIST_CLASSIFIER)).toBe(2 * macs);
    expect(classifierFlops(MNIST_CLASSIFIER) / 1e6).toBeCloseTo(15.3, 1);
    const params = classifierParamSpecs(MNIST_CLASSIFIER).reduce(
      (n, s) => n + s.shape.reduce((a, b) => a * b, 1),
      0,
    );
    // (3·3·1 + 1)·32 + (9·32 + 1)·32 + (9·32 + 1)·64 + (9·64 + 1)·64 + (49·64 + 1)·64 + (64 + 1)·10
    expect(params).toBe(320 + 9248 + 18496 + 36928 + 200768 + 650);
  });
});
