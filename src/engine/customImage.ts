// Turns an uploaded or drawn picture (RGBA, any size) into a model-space image for a data set:
// resized to its size (area-averaged when shrinking, so thin strokes survive), converted to grey
// for one-channel data, and scaled to [-1, 1].
import * as tf from '@tensorflow/tfjs';
import type { SourceImage } from './forwardNoising';

export interface RgbaImage {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export const MAX_UPLOAD_SIDE = 4096;

export interface CustomImageOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  /**
   * MNIST digits are light strokes on black. A photo of ink on paper is the opposite, so for
   * one-channel data a mostly-light picture is inverted. 'auto' decides from the mean brightness.
   */
  invert?: boolean | 'auto';
}

export function validateRgba(img: RgbaImage): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`the picture has no pixels (${width}x${height})`);
  }
  if (width > MAX_UPLOAD_SIDE || height > MAX_UPLOAD_SIDE) {
    throw new RangeError(
      `the picture is ${width}x${height}; at most ${MAX_UPLOAD_SIDE} pixels per side are accepted`,
    );
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(
      `the picture's data has ${data.length} bytes but ${width}x${height} RGBA needs ${width * height * 4}`,
    );
  }
}

export async function toSourceImage(
  img: RgbaImage,
  opts: CustomImageOptions,
): Promise<SourceImage> {
  validateRgba(img);
  const { height, width, channels } = opts;
  const out = tf.tidy(() => {
    const rgba = tf.tensor3d(Uint8Array.from(img.data), [img.height, img.width, 4], 'int32');
    const rgb = tf.div(tf.slice(rgba, [0, 0, 0], [-1, -1, 3]).toFloat(), 255);
    // Composite transparent pixels onto black, the data sets' background.
    const alpha = tf.div(tf.slice(rgba, [0, 0, 3], [-1, -1, 1]).toFloat(), 255);
    let x = tf.mul(rgb, alpha) as tf.Tensor3D;
    if (channels === 1) {
      // ITU-R BT.601 luma weights.
      x = tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor3D;
      const invert = opts.invert ?? 'auto';
      // inv is 1 or 0; decided on the device so no readback is needed here.
      const inv =
        invert === 'auto' ? tf.greater(tf.mean(x), 0.5).toFloat() : tf.scalar(invert ? 1 : 0);
      x = tf.add(tf.mul(inv, tf.sub(1, x)), tf.mul(tf.sub(1, inv), x)) as tf.Tensor3D;
    }
    // Shrinking by area average first (avgPool) keeps strokes; then bilinear to the exact size.
    const batch = tf.expandDims(x, 0) as tf.Tensor4D;
    const fy = Math.max(1, Math.floor(img.height / height));
    const fx = Math.max(1, Math.floor(img.width / width));
    const pooled = fy > 1 || fx > 1 ? tf.avgPool(batch, [fy, fx], [fy, fx], 'valid') : batch;
    const resized = tf.image.resizeBilinear(pooled as tf.Tensor4D, [height, width], true);
    return tf.sub(tf.mul(tf.clipByValue(resized, 0, 1), 2), 1);
  });
  try {
    const data = new Float32Array(await out.data());
    return { data, height, width, channels };
  } finally {
    out.dispose();
  }
}
