// Decodes an uploaded file into RGBA pixels with the browser's own image decoder. Very large
// pictures are scaled down here (2-D canvas work, not tensor work) so the worker gets a sane size.
import type { RgbaPicture } from '../worker/api';

const MAX_SIDE = 1024;
const MAX_FILE_BYTES = 50 * 1024 * 1024;

export async function decodePicture(file: File): Promise<RgbaPicture> {
  if (file.size === 0) throw new Error(`"${file.name}" is empty.`);
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`"${file.name}" is larger than 50 MB; please choose a smaller picture.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(
      `"${file.name}" is not a picture this browser can read. Try a PNG, JPEG, GIF or WebP file.`,
    );
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot read pixels from a canvas');
    ctx.drawImage(bitmap, 0, 0, width, height);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { data, width, height };
  } finally {
    bitmap.close();
  }
}
