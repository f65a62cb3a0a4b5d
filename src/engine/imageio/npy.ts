// NumPy .npy writer, format version 1.0 (numpy.lib.format, "NEP 1"): magic "\x93NUMPY", version
// bytes 1 0, header length (uint16 LE), an ASCII Python dict literal padded with spaces and a
// final "\n" so that magic + version + length + header is a multiple of 64 bytes, then the data.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y
const PREAMBLE = MAGIC.length + 2 + 2;
const ALIGN = 64;

/** Python tuple syntax: (3,) for one dimension, () for a scalar. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The padded header dict, exactly as numpy >= 1.x writes it for C-order little-endian float32. */
export function npyHeader(shape: readonly number[]): string {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pyTuple(shape)}, }`;
  const unpadded = PREAMBLE + dict.length + 1; // + the final "\n"
  const padding = (ALIGN - (unpadded % ALIGN)) % ALIGN;
  const header = dict + ' '.repeat(padding) + '\n';
  if (header.length > 0xffff) throw new RangeError('npy header too long for format 1.0');
  return header;
}

/** data is C-order (row-major, e.g. NHWC) float32 of exactly prod(shape) elements. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad npy dimension ${d}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(`shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  }
  const header = npyHeader(shape);
  const offset = PREAMBLE + header.length;
  const out = new Uint8Array(offset + 4 * count);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[PREAMBLE + i] = header.charCodeAt(i);
  // Explicit little-endian writes: correct on big-endian hosts too.
  for (let i = 0; i < count; i++) view.setFloat32(offset + 4 * i, data[i], true);
  return out;
}
