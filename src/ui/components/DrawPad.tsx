// A small canvas to draw a digit with the mouse, a pen or a finger (white on black, like MNIST).
import { useEffect, useRef } from 'react';
import type { RgbaPicture } from '../../worker/api';

const SIZE = 224;

export function DrawPad({
  onUse,
  onCancel,
}: {
  onUse: (picture: RgbaPicture) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);

  const clear = () => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIZE, SIZE);
  };
  useEffect(clear, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return [
      ((e.clientX - rect.left) * SIZE) / rect.width,
      ((e.clientY - rect.top) * SIZE) / rect.height,
    ];
  };
  const stroke = (e: React.PointerEvent<HTMLCanvasElement>, start: boolean) => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const [x, y] = point(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = SIZE / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (start) {
      ctx.beginPath();
      ctx.moveTo(x, y);
    }
    ctx.lineTo(x, y);
    ctx.stroke();
  };

  const use = () => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const { data, width, height } = ctx.getImageData(0, 0, SIZE, SIZE);
    onUse({ data, width, height });
  };

  return (
    <div className="drawpad">
      <canvas
        ref={ref}
        width={SIZE}
        height={SIZE}
        aria-label="Drawing area: draw a digit with the mouse"
        data-testid="drawpad"
        onPointerDown={(e) => {
          drawing.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          stroke(e, true);
        }}
        onPointerMove={(e) => drawing.current && stroke(e, false)}
        onPointerUp={() => (drawing.current = false)}
      />
      <div className="drawpad-buttons">
        <button type="button" onClick={use}>
          Use drawing
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
