// A correct ResizeNearestNeighborGrad (the gradient of tf.image.resizeNearestNeighbor, used by
// the U-Net's upsampling). Measured in tfjs 4.22 (see resizeGrad.test.ts):
//   - cpu backend: wrong for batch > 1 (it offsets dy by the *images* batch stride), so every
//     batch but the first gets another image's gradient;
//   - cpu and wasm: halfPixelCenters is ignored, so that gradient is wrong whenever it is true.
// This one scatters dy back through exactly the source index the forward kernel picks.
import * as tf from '@tensorflow/tfjs';

/** For each output row (or column), the input row the forward resize copies (tfjs's formula). */
export function sourceIndices(
  outSize: number,
  inSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const src = new Int32Array(outSize);
  for (let r = 0; r < outSize; r++) {
    const frac = halfPixelCenters ? ratio * (r + 0.5) : ratio * r;
    const s = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    src[r] = halfPixelCenters ? Math.max(0, s) : s;
  }
  return src;
}

/** dx[b, src(y), src(x), c] += dy[b, y, x, c]. NHWC shapes. */
export function resizeNearestGradValues(
  dy: ArrayLike<number>,
  imagesShape: number[],
  dyShape: number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch, h, w, c] = imagesShape;
  const [, oh, ow] = dyShape;
  const rows = sourceIndices(oh, h, alignCorners, halfPixelCenters);
  const cols = sourceIndices(ow, w, alignCorners, halfPixelCenters);
  const dx = new Float32Array(batch * h * w * c);
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      const rowBase = (b * h + rows[y]) * w;
      for (let x = 0; x < ow; x++) {
        const d = (rowBase + cols[x]) * c;
        for (let k = 0; k < c; k++) dx[d + k] += dy[i++];
      }
    }
  }
  return dx;
}

interface ResizeGradArgs {
  dy: tf.TensorInfo;
  images: tf.TensorInfo;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export function resizeGradArgs(
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
): ResizeGradArgs {
  const { dy, images } = inputs;
  if (dy === undefined || images === undefined) {
    throw new Error('ResizeNearestNeighborGrad: needs inputs dy and images');
  }
  const a = (attrs ?? {}) as Partial<tf.ResizeNearestNeighborGradAttrs>;
  return { dy, images, alignCorners: !!a.alignCorners, halfPixelCenters: !!a.halfPixelCenters };
}

/** Values of the gradient, read synchronously: fine on cpu and wasm, whose memory is the CPU's. */
export function resizeGradOnCpuMemory(
  backend: { readSync(dataId: object): tf.backend_util.BackendValues },
  args: ResizeGradArgs,
): Float32Array {
  const dy = backend.readSync(args.dy.dataId) as ArrayLike<number>;
  const { images, alignCorners, halfPixelCenters } = args;
  return resizeNearestGradValues(dy, images.shape, args.dy.shape, alignCorners, halfPixelCenters);
}

/**
 * The integer factors (fh, fw) when every output pixel (y, x) copies input (y / fh, x / fw)
 * (rounded down), as for a 2x nearest upsample without alignCorners or halfPixelCenters; then the
 * gradient is a sum over fh x fw blocks. Null otherwise.
 */
export function blockFactors(args: ResizeGradArgs): [number, number] | null {
  const [, h, w] = args.images.shape;
  const [, oh, ow] = args.dy.shape;
  const factor = (outSize: number, inSize: number): number | null => {
    if (outSize % inSize !== 0) return null;
    const f = outSize / inSize;
    const src = sourceIndices(outSize, inSize, args.alignCorners, args.halfPixelCenters);
    return src.every((s, r) => s === Math.floor(r / f)) ? f : null;
  };
  const fh = factor(oh, h);
  const fw = factor(ow, w);
  return fh === null || fw === null ? null : [fh, fw];
}
