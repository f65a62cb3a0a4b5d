import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  Autoencoder,
  autoencoderFlops,
  autoencoderLoss,
  autoencoderParamSpecs,
  CIFAR10_AUTOENCODER,
  klToStandardNormal,
  latentShape,
  LOGVAR_RANGE,
  MNIST_AUTOENCODER,
  samplePosterior,
  validateAutoencoderConfig,
  type AutoencoderConfig,
} from './autoencoder';
import { maxAbsDiff, randomValues } from './testUtil';

const tiny: AutoencoderConfig = {
  imageSize: 8,
  inChannels: 1,
  channels: [3, 4],
  latentChannels: 2,
};

/**
 * KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) = log(σ2/σ1) + (σ1² + (μ1 − μ2)²) / (2σ2²) − ½, the general
 * univariate Gaussian KL (e.g. Bishop 2006, ex. 1.30), written independently of the model's
 * ½(μ² + σ² − 1 − log σ²); float64.
 */
function gaussianKl(mu1: number, var1: number, mu2: number, var2: number): number {
  return 0.5 * Math.log(var2 / var1) + (var1 + (mu1 - mu2) ** 2) / (2 * var2) - 0.5;
}

describe('Autoencoder', () => {
  it('maps MNIST 28x28x1 to 7x7x4 and back, and CIFAR-10 32x32x3 to 8x8x4', () => {
    for (const [config, latent] of [
      [MNIST_AUTOENCODER, [7, 7, 4]],
      [CIFAR10_AUTOENCODER, [8, 8, 4]],
    ] as const) {
      expect(latentShape(config)).toEqual(latent);
      const ae = Autoencoder.create(config, { seed: 1 });
      const s = config.imageSize;
      const x = tf.zeros([2, s, s, config.inChannels]) as tf.Tensor4D;
      const q = ae.encode(x);
      expect(q.mean.shape).toEqual([2, ...latent]);
      expect(q.logVar.shape).toEqual([2, ...latent]);
      const xHat = ae.decode(q.mean);
      expect(xHat.shape).toEqual([2, s, s, config.inChannels]);
      tf.dispose([x, q.mean, q.logVar, xHat]);
      ae.dispose();
    }
  });

  it('has the parameters its specs list and counts FLOPs per layer', () => {
    const ae = Autoencoder.create(MNIST_AUTOENCODER);
    const n = autoencoderParamSpecs(MNIST_AUTOENCODER).reduce(
      (a, s) => a + s.shape.reduce((p, d) => p * d, 1),
      0,
    );
    expect(ae.numParams).toBe(n);
    ae.dispose();
    // Encoder's first conv at 28x28: 2·28²·9·1·16 multiply-adds, by hand.
    const f = autoencoderFlops(MNIST_AUTOENCODER);
    const conv = (s: number, a: number, b: number) => 2 * s * s * 9 * a * b;
    expect(f.encoder).toBe(
      conv(28, 1, 16) + conv(14, 16, 32) + conv(14, 32, 32) + conv(7, 32, 32) + conv(7, 32, 8),
    );
    expect(f.decoder).toBe(
      conv(7, 4, 32) + conv(7, 32, 32) + conv(14, 32, 32) + conv(28, 32, 16) + conv(28, 16, 1),
    );
  });

  it('KL term equals the closed form of the Gaussian KL, element by element', async () => {
    const mu = randomValues(2 * 3 * 3 * 2, 3).map((v) => 2 * v);
    const logVar = randomValues(mu.length, 5).map((v) => 3 * v);
    const q = {
      mean: tf.tensor4d(mu, [2, 3, 3, 2]),
      logVar: tf.tensor4d(logVar, [2, 3, 3, 2]),
    };
    const kl = klToStandardNormal(q);
    const per = mu.length / 2;
    const want = [0, 1].map((b) => {
      let sum = 0;
      for (let i = b * per; i < (b + 1) * per; i++)
        sum += gaussianKl(mu[i], Math.exp(logVar[i]), 0, 1);
      return sum;
    });
    expect(maxAbsDiff(await kl.data(), want)).toBeLessThan(1e-4);
    tf.dispose([q.mean, q.logVar, kl]);
  });

  it('KL term matches a Monte Carlo estimate of E_q[log q(z) − log p(z)] (seeded)', async () => {
    // One latent element, μ = 0.7, σ² = 0.25: KL = 0.5·(0.49 + 0.25 − 1 − log 0.25) ≈ 0.563.
    const mu = 0.7;
    const v = 0.25;
    const n = 200_000;
    const eps = tf.randomNormal([n], 0, 1, 'float32', 11);
    const est = tf.tidy(() => {
      const z = tf.add(mu, tf.mul(Math.sqrt(v), eps));
      const logQ = tf.mul(
        -0.5,
        tf.add(Math.log(2 * Math.PI * v), tf.div(tf.square(tf.sub(z, mu)), v)),
      );
      const logP = tf.mul(-0.5, tf.add(Math.log(2 * Math.PI), tf.square(z)));
      return tf.mean(tf.sub(logQ, logP));
    });
    const q = {
      mean: tf.fill([1, 1, 1, 1], mu) as tf.Tensor4D,
      logVar: tf.fill([1, 1, 1, 1], Math.log(v)) as tf.Tensor4D,
    };
    const kl = klToStandardNormal(q);
    const closed = (await kl.data())[0];
    // The estimator's std is about sqrt(Var[log q − log p] / n) ≈ 0.0019 here; 5 of them.
    expect(Math.abs((await est.data())[0] - closed)).toBeLessThan(0.01);
    expect(closed).toBeCloseTo(gaussianKl(mu, v, 0, 1), 5);
    tf.dispose([eps, est, q.mean, q.logVar, kl]);
  });

  it('reparameterises z = μ + σ·ε and clamps log σ² to LDM’s range', async () => {
    const q = {
      mean: tf.tensor4d([1, -2], [1, 1, 1, 2]),
      logVar: tf.tensor4d([Math.log(4), Math.log(0.01)], [1, 1, 1, 2]),
    };
    const eps = tf.tensor4d([0.5, -1], [1, 1, 1, 2]);
    const z = samplePosterior(q, eps);
    expect(maxAbsDiff(await z.data(), [1 + 2 * 0.5, -2 - 0.1])).toBeLessThan(1e-5);
    tf.dispose([q.mean, q.logVar, eps, z]);
    // A huge bias on the log-variance channels saturates at the clamp.
    const ae = Autoencoder.create(tiny, { seed: 2 });
    const b = ae.params.get('enc.moments.b')!;
    b.assign(tf.tensor1d([0, 0, 100, -100]));
    const out = ae.encode(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D);
    const lv = Array.from(await out.logVar.data());
    expect(Math.max(...lv)).toBeLessThanOrEqual(LOGVAR_RANGE[1]);
    expect(Math.min(...lv)).toBeGreaterThanOrEqual(LOGVAR_RANGE[0]);
    expect(lv.some((x) => x === LOGVAR_RANGE[1])).toBe(true);
    tf.dispose([out.mean, out.logVar]);
    ae.dispose();
  });

  it('loss = reconstruction + β·KL, gradients reach every parameter, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const ae = Autoencoder.create(tiny, { seed: 4 });
    const x = tf.tensor4d(randomValues(3 * 64, 9), [3, 8, 8, 1]);
    const eps = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const l = autoencoderLoss(ae, x, eps, 0.5);
    const [loss, rec, kl] = await Promise.all([
      l.loss.data(),
      l.reconstruction.data(),
      l.kl.data(),
    ]);
    expect(loss[0]).toBeCloseTo(rec[0] + 0.5 * kl[0], 4);
    tf.dispose([l.loss, l.reconstruction, l.kl]);
    const vars = [...ae.params.values()];
    const { value, grads } = tf.variableGrads(() => autoencoderLoss(ae, x, eps, 1e-3).loss, vars);
    for (const v of vars) {
      const sum = tf.tidy(() => tf.sum(tf.abs(grads[v.name])));
      expect((await sum.data())[0], v.name).toBeGreaterThan(0);
      sum.dispose();
    }
    tf.dispose([value, x, eps, ...Object.values(grads)]);
    ae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad configs and wrong input shapes with clear errors', () => {
    expect(() => validateAutoencoderConfig({ ...tiny, imageSize: 30 })).toThrow(/divisible by 4/);
    expect(() =>
      validateAutoencoderConfig({ ...tiny, channels: [3] as unknown as [number, number] }),
    ).toThrow(/two positive integers/);
    const ae = Autoencoder.create(tiny);
    const x = tf.zeros([1, 6, 6, 1]) as tf.Tensor4D;
    expect(() => ae.encode(x)).toThrow(/x must be \[B, 8, 8, 1\]/);
    expect(() => ae.decode(x)).toThrow(/z must be \[B, 2, 2, 2\]/);
    x.dispose();
    ae.dispose();
  });
});
