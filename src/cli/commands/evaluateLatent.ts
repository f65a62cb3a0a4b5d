// `eval --model DIR` for a latent diffusion folder: the guidance sweep of evaluate.ts on the
// latent U-Net, each scale's latents decoded (x = D(ẑ₀ / scale), Rombach et al. 2022) before
// the MNIST judge scores them, so the accuracy and Fréchet distance compare with mnist-cfg's.
import { writeFile } from 'node:fs/promises';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { evaluateGuidance } from '../../engine/evaluation';
import { loadJudgeDir } from '../../engine/judge/fsStore';
import { loadJudge } from '../../engine/judge/load';
import { decodeScaledLatents, disposeLatentModel } from '../../engine/latent/latentModel';
import { DEFAULT_DDIM_STEPS } from '../../engine/sampling/options';
import { latentClipX0, loadLatentModelDir } from '../latentLoad';
import { commandLine, gitCommit, machine } from '../provenance';
import { samplerSummary } from '../samplerFlags';
import { UsageError, type CliIo } from '../types';
import {
  checkAgainstModel,
  jsonResult,
  pct,
  TABLE_HEADER,
  judgeDirFor,
  sweepOptions,
  type EvalArgs,
} from './evaluate';

export async function evaluateLatent(parsed: EvalArgs, argv: readonly string[], io: CliIo) {
  if (parsed.classifierGuidance.method !== 'classifier-free') {
    throw new UsageError('--guidance-method classifier/both needs a pixel-space model');
  }
  if (parsed.nfeTable !== null) {
    throw new UsageError('--nfe is for pixel-space models; sweep --steps on a latent model');
  }
  const choice = await initBackend(parsed.backend, { wasmPaths: nodeWasmDir() });
  const model = await loadLatentModelDir(parsed.model);
  // Without --judge, the judge of the data set the autoencoder was trained on.
  const args = { ...parsed, judge: parsed.judge ?? judgeDirFor(model.unetManifest.dataset) };
  const judge = loadJudge(await loadJudgeDir(args.judge));
  try {
    const { unet, autoencoder: ae, schedule, unetManifest: manifest } = model;
    checkAgainstModel(
      args,
      {
        dataset: manifest.dataset,
        T: schedule.T,
        numClasses: unet.config.numClasses,
        learnSigma: manifest.modelConfig.learnSigma === true,
      },
      judge,
    );
    const clipX0 = latentClipX0(argv);
    const steps =
      args.steps ??
      (args.sampler === 'ddpm' ? schedule.T : Math.min(DEFAULT_DDIM_STEPS, schedule.T));
    const acc = judge.manifest.testAccuracy;
    io.stderr(
      `eval: ${args.model} (latent ${manifest.dataset}, ${manifest.trainingSteps} steps), judge ` +
        `${args.judge}${acc ? ` (test accuracy ${pct(acc.overall)})` : ''}; ${args.n} images per ` +
        `scale, ${samplerSummary(args, schedule.T)}, x̂₀ clipping ${clipX0 ? 'on' : 'off'}, seed ` +
        `${args.seed}, ${choice.backend}\n`,
    );
    io.stdout(TABLE_HEADER);
    const result = await evaluateGuidance({
      unet,
      schedule,
      judge: judge.classifier,
      reference: judge.reference,
      ...sweepOptions(args, steps, clipX0, io),
      decode: {
        imageSize: ae.config.imageSize,
        inChannels: ae.config.inChannels,
        decode: (z, n) => decodeScaledLatents(ae, z, n, model.scaleFactor),
      },
    });
    if (args.json !== null) {
      const out = {
        model: args.model,
        latent: true,
        modelDataset: manifest.dataset,
        modelTrainingSteps: manifest.trainingSteps,
        judge: args.judge,
        judgeWeightsCrc32: judge.manifest.weightsCrc32,
        judgeTestAccuracy: judge.manifest.testAccuracy?.overall,
        ...result,
        results: result.results.map(jsonResult),
        createdAt: new Date().toISOString(),
        command: commandLine('eval', [...argv]),
        gitCommit: gitCommit(),
        machine: machine(choice.backend),
      };
      await writeFile(args.json, `${JSON.stringify(out, null, 2)}\n`);
      io.stderr(`wrote ${args.json}\n`);
    }
  } finally {
    disposeLatentModel(model);
    judge.classifier.dispose();
  }
}
