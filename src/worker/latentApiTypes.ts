// The RPC surface of the "Latent diffusion" view (its worker side is latentApi.ts).
import type {
  LatentCost,
  LatentModelInfo,
  LatentTrajectory,
  LatentTrajectoryRequest,
  LatentWalkRequest,
  LatentWalkResult,
  ReconstructRequest,
  ReconstructResult,
} from '../engine/latent/controller';
import type { LatentTrainingEvent, LatentTrainingRequest } from '../engine/latent/browserTraining';

export type {
  LatentCost,
  LatentModelInfo,
  LatentTrajectory,
  LatentTrajectoryRequest,
  LatentWalkRequest,
  LatentWalkResult,
  ReconstructRequest,
  ReconstructResult,
  LatentTrainingEvent,
  LatentTrainingRequest,
};

export interface LatentApi {
  /** Loads models/mnist-latent (autoencoder + latent U-Net), validated; the info of it. */
  latentLoadPretrained(): Promise<LatentModelInfo>;
  /** The latent model in use, or null before any load. */
  latentInfo(): Promise<LatentModelInfo | null>;
  /** Samples latents and decodes every step's z_t and ẑ₀ (x = D(z / scale)). */
  latentTrajectory(req: LatentTrajectoryRequest): Promise<LatentTrajectory>;
  /** The decoded image between the latents of two MNIST test images. */
  latentWalk(req: LatentWalkRequest): Promise<LatentWalkResult>;
  /** Encoder → noise to t → DDIM → decoder for one MNIST test image. */
  latentReconstruct(req: ReconstructRequest): Promise<ReconstructResult>;
  /** FLOPs and measured ms per guided step of n images: latent U-Net against mnist-cfg. */
  latentCost(n: number): Promise<LatentCost>;
  /**
   * Trains an autoencoder and a latent U-Net in the worker (tiny sizes) and puts them in use;
   * `listener` (a Comlink.proxy) hears the progress of each stage.
   */
  latentTrain(
    req: Partial<LatentTrainingRequest>,
    listener: (e: LatentTrainingEvent) => void,
  ): Promise<LatentModelInfo>;
  /** Ends the running latent training early (each stage keeps what it learnt so far). */
  latentStopTraining(): Promise<void>;
}
