// The workers a live training run shares its steps with: the sampling peers (samplingPeer.ts),
// which also take parts of training batches (training/partGradient.ts). A threaded compute
// worker leaves the whole batch to them, as sampling does: its XNNPACK pool would compete with
// the peers for the same cores, and one single-threaded worker per core is faster (README,
// issue 12).
import type { GradientPeer, GradientPeers } from '../training/partGradient';
import { wasmThreadsInUse } from '../backends/wasmThreads';
import type { SamplingPeerLink } from './samplingPeer';

export class TrainingPeers implements GradientPeers {
  private readonly links: SamplingPeerLink[] = [];

  add(link: SamplingPeerLink): void {
    this.links.push(link);
  }

  peers(): GradientPeer[] {
    return this.links.flatMap((l) => l.gradientPeer() ?? []);
  }

  localTakesPart(): boolean {
    return wasmThreadsInUse() <= 1;
  }

  /** Why peers stopped taking parts, one line each (none: all of them work). */
  failures(): string[] {
    return this.links.flatMap((l) => l.gradientFailure ?? l.failure ?? []);
  }
}
