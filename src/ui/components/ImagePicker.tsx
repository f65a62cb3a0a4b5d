// Chooses x_0: a test-set image by number or at random, an uploaded picture, or a drawing.
import { useRef, useState } from 'react';
import type { DatasetInfo, RgbaPicture } from '../../worker/api';
import { usePlayground } from '../store';
import { getWorker } from '../workerClient';
import { decodePicture } from '../decodePicture';
import { describeError } from '../errors';
import { DrawPad } from './DrawPad';

export function ImagePicker(props: {
  info: DatasetInfo | null;
  usingCustom: boolean;
  onCustom: () => void;
  onDatasetImage: () => void;
  onError: (message: string | null) => void;
}) {
  const { info, usingCustom, onCustom, onDatasetImage, onError } = props;
  const { dataset, imageIndex, setImageIndex } = usePlayground();
  const [drawing, setDrawing] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const pickDatasetImage = (i: number) => {
    setImageIndex(i);
    onDatasetImage();
  };
  const sendPicture = async (picture: RgbaPicture) => {
    try {
      await getWorker().setCustomImage(dataset, picture);
      onError(null);
      onCustom();
    } catch (e) {
      // The previous image stays in use; only the message changes.
      onError(describeError(e));
    }
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      await sendPicture(await decodePicture(file));
    } catch (e) {
      onError(describeError(e));
    } finally {
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  return (
    <div className="controls image-picker">
      <label className="advanced">
        Test image #
        <input
          type="number"
          aria-label="Image index"
          min={0}
          max={info ? info.count - 1 : undefined}
          value={imageIndex}
          disabled={!info}
          onChange={(e) => pickDatasetImage(Number(e.target.value))}
        />
      </label>
      <button
        type="button"
        disabled={!info}
        onClick={() => info && pickDatasetImage(Math.floor(Math.random() * info.count))}
      >
        Random image
      </button>
      <label className="file-button">
        <span>Upload a picture</span>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          aria-label="Upload a picture"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
      </label>
      <button type="button" onClick={() => setDrawing(true)} aria-expanded={drawing}>
        Draw
      </button>
      {usingCustom && (
        <span className="muted" data-testid="custom-note">
          Using your picture, resized to{' '}
          {info ? `${info.height}×${info.width}` : 'the data set size'}.
        </span>
      )}
      {drawing && (
        <DrawPad
          onUse={(p) => {
            setDrawing(false);
            void sendPicture(p);
          }}
          onCancel={() => setDrawing(false)}
        />
      )}
    </div>
  );
}
