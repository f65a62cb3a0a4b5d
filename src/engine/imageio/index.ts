// Image output: PNG grids and NumPy arrays (no tfjs).
export { encodeNpy, npyHeader } from './npy';
export { encodePngGrid, type GridOptions } from './png';
export { toUnitInterval } from './pixels';
