// Draws one NHWC image (batch 1) onto a canvas, scaled up with crisp pixels.
import { ImageGrid } from './ImageGrid';

// Kept here too: callers and tests import it next to the component.
export { toRgba } from '../pixels';

export interface ImageCanvasProps {
  data: Float32Array | null;
  shape: readonly [number, number, number, number] | null;
  /** Values mapped to black and white: data images use [-1, 1]; noise is shown over [-3, 3]. */
  range: readonly [number, number];
  label: string;
  testId?: string;
  /** Side in CSS pixels at the base type size (scales with rem). */
  size?: number;
  /** A CSS width (overrides `size`), e.g. 'var(--forward-image)'. */
  width?: string;
  placeholder?: string;
}

/** One image is a grid of one: same drawing, same blanking when there is no data. */
export function ImageCanvas(props: ImageCanvasProps) {
  const { data, shape, range, label, testId, size = 168, width, placeholder } = props;
  return (
    <ImageGrid
      data={data}
      shape={shape}
      range={range}
      label={label}
      cols={1}
      cell={size}
      width={width}
      placeholder={placeholder}
      testId={testId}
    />
  );
}
