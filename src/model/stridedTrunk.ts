// The convolutional trunk both small classifiers share (the MNIST judge, classifier.ts, and the
// noise-aware classifier, noisyClassifier.ts): two stages, each a 3x3 conv then a 3x3 stride-2
// conv ('same' padding, so S -> ceil(S/2) -> ceil(S/4)). The options are where they differ: the
// nonlinearity (ReLU for the judge, SiLU as in the U-Net for the noisy one) and, for the noisy
// one, the timestep embedding added per channel after the first conv of each stage, as the U-Net
// adds it in its residual blocks (Ho et al. 2020, Appendix B).
//
//   conv1 c1 [+ temb_proj1(temb)], act -> conv2 c1 stride 2, act
//   conv3 c2 [+ temb_proj3(temb)], act -> conv4 c2 stride 2, act      -> [B, S/4, S/4, c2]
import * as tf from '@tensorflow/tfjs';
import { conv2d, dense } from './layers/basic';
import { convSpecs, denseSpecs, type ParamScope, type ParamSpec } from './params';

/** Spatial size after a 'same' stride-2 conv or 'same' 2x2 max-pool. */
export const half = (s: number): number => Math.ceil(s / 2);

/** Side of the trunk's output (7 for 28). */
export const trunkGridSize = (imageSize: number): number => half(half(imageSize));

/** The trunk's parameters in forward order; with timeEmbedDim, the two embedding projections. */
export function stridedTrunkSpecs(
  inChannels: number,
  [c1, c2]: readonly number[],
  timeEmbedDim?: number,
): ParamSpec[] {
  const proj = (name: string, c: number) =>
    timeEmbedDim === undefined ? [] : denseSpecs(name, timeEmbedDim, c);
  return [
    ...convSpecs('conv1', 3, inChannels, c1),
    ...proj('temb_proj1', c1),
    ...convSpecs('conv2', 3, c1, c1),
    ...convSpecs('conv3', 3, c1, c2),
    ...proj('temb_proj3', c2),
    ...convSpecs('conv4', 3, c2, c2),
  ];
}

/** Forward FLOPs per image of the four convs (multiply-add = 2). */
export function stridedTrunkFlops(
  imageSize: number,
  inChannels: number,
  [c1, c2]: readonly number[],
): number {
  const s1 = half(imageSize);
  const s2 = half(s1);
  const conv = (s: number, cin: number, cout: number) => 2 * s * s * 9 * cin * cout;
  return conv(imageSize, inChannels, c1) + conv(s1, c1, c1) + conv(s1, c1, c2) + conv(s2, c2, c2);
}

/** Adds a per-example, per-channel bias [B, C] to h [B, H, W, C]. */
function addChannelBias(h: tf.Tensor4D, bias: tf.Tensor2D): tf.Tensor4D {
  const [b, c] = bias.shape;
  return tf.add(h, tf.reshape(bias, [b, 1, 1, c]));
}

export interface TrunkOptions {
  activation: (h: tf.Tensor4D) => tf.Tensor4D;
  /** [B, E] timestep embedding (needs the temb_proj parameters). */
  temb?: tf.Tensor2D;
}

/** The trunk on x [B, S, S, C] (call inside a tidy). */
export function stridedTrunk(p: ParamScope, x: tf.Tensor4D, opts: TrunkOptions): tf.Tensor4D {
  const act = opts.activation;
  const cw = (name: string) => ({ w: p.t4(`${name}.w`), b: p.t1(`${name}.b`) });
  const withTime = (h: tf.Tensor4D, proj: string) =>
    opts.temb
      ? addChannelBias(h, dense(opts.temb, { w: p.t2(`${proj}.w`), b: p.t1(`${proj}.b`) }))
      : h;
  let h = act(withTime(conv2d(x, cw('conv1')), 'temb_proj1'));
  h = act(conv2d(h, cw('conv2'), 2));
  h = act(withTime(conv2d(h, cw('conv3')), 'temb_proj3'));
  return act(conv2d(h, cw('conv4'), 2));
}
