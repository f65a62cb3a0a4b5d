// `sample --model DIR` for a latent diffusion folder: the same samplers, steps and guidance as
// pixel models run on the latent U-Net, then the autoencoder decodes: x = D(ẑ₀ / scale)
// (Rombach et al. 2022, Sec. 3).
import { writeFile } from 'node:fs/promises';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { encodeNpy, encodePngGrid, toUnitInterval } from '../../engine/imageio';
import { decodeScaledLatents, disposeLatentModel } from '../../engine/latent/latentModel';
import { sampleImages } from '../../engine/sampling';
import { latentClipX0, loadLatentModelDir } from '../latentLoad';
import { samplerSummary, samplingRunOptions } from '../samplerFlags';
import { UsageError } from '../types';
import { checkAgainstModel, type SampleArgs } from './sample';

export async function sampleLatentToFile(args: SampleArgs, argv: readonly string[]) {
  if (args.classifierGuidance.method !== 'classifier-free') {
    throw new UsageError(
      '--guidance-method classifier/both needs a pixel-space model: the noise-aware classifier ' +
        'reads images, and a latent model denoises latents',
    );
  }
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const model = await loadLatentModelDir(args.model);
  try {
    const { unet, autoencoder: ae, schedule, unetManifest } = model;
    checkAgainstModel(
      args,
      unet.config.numClasses,
      schedule.T,
      unetManifest.modelConfig.learnSigma,
    );
    const clipX0 = latentClipX0(argv);
    const classes =
      args.classLabel === null ? null : new Array<number>(args.n).fill(args.classLabel);
    const start = performance.now();
    const z = await sampleImages(unet, schedule, {
      ...samplingRunOptions(args),
      clipX0,
      classes,
      guidanceScale: args.guidance,
    });
    const sampled = performance.now();
    const x = await decodeScaledLatents(ae, z, args.n, model.scaleFactor);
    const seconds = (performance.now() - start) / 1000;
    const { imageSize: s, inChannels: c } = ae.config;
    await writeFile(
      args.out,
      args.format === 'npy'
        ? encodeNpy(toUnitInterval(x), [args.n, s, s, c])
        : encodePngGrid(x, args.n, s, s, c, { range: [-1, 1] }),
    );
    const label = args.classLabel === null ? 'null' : String(args.classLabel);
    const { imageSize: ls, inChannels: lc } = unet.config;
    return (
      `sample: ${args.n} images ${s}x${s}x${c} from ${ls}x${ls}x${lc} latents (scale ` +
      `${model.scaleFactor.toFixed(4)}), ${samplerSummary(args, schedule.T)}, class ${label}, ` +
      `s=${args.guidance}, x̂₀ clipping ${clipX0 ? 'on' : 'off'}, seed ${args.seed}, ` +
      `${choice.backend}: ${seconds.toFixed(2)} s (decoding ${((performance.now() - sampled) / 1000).toFixed(2)} s), ` +
      `${(seconds / args.n).toFixed(3)} s/image -> ${args.out}`
    );
  } finally {
    disposeLatentModel(model);
  }
}
