// The U-Net as a list of drawable blocks with their parameter counts, for the diagram in the UI.
// The blocks come from buildArchitecture (the layout the forward pass runs) and every count from
// paramSpecs (the parameters createParams makes), grouped by name prefix: a parameter that
// belongs to no block is an error, so the blocks always add up to countParams(config).
import { buildArchitecture, type ResUnit, type Unit } from './architecture';
import { gridChannels, gridSize, levelSizes, patchSize, type UNetConfig } from './config';
import { paramSpecs } from './params';

export type BlockKind =
  'timeEmbedding' | 'classEmbedding' | 'convIn' | 'res' | 'attn' | 'down' | 'up' | 'out';
export type BlockPart = 'embedding' | 'input' | 'down' | 'mid' | 'up' | 'output';

export interface NetworkBlock {
  /** Parameter prefix, e.g. `down.1.res.0` (the names in a checkpoint). */
  name: string;
  kind: BlockKind;
  part: BlockPart;
  /** Resolution level (0 = full grid), null for the embeddings. */
  level: number | null;
  /** Spatial side of the block's output, null for the embeddings. */
  size: number | null;
  inCh: number;
  outCh: number;
  /** Up path: channels of the skip concatenated before the block (included in inCh). */
  skipCh: number;
  params: number;
}

export interface NetworkDiagram {
  imageSize: number;
  inChannels: number;
  /** 2×2 patches folded into channels: the grid the U-Net works on is imageSize / patch. */
  patch: number;
  gridSize: number;
  gridChannels: number;
  /** Per level: its side and channels. */
  levels: { size: number; channels: number }[];
  tembDim: number;
  numClasses: number;
  blocks: NetworkBlock[];
  totalParams: number;
}

function resBlock(u: ResUnit, part: BlockPart, level: number): NetworkBlock[] {
  const blocks: NetworkBlock[] = [
    {
      name: u.name,
      kind: 'res',
      part,
      level,
      size: u.size,
      inCh: u.inCh,
      outCh: u.outCh,
      skipCh: u.skipCh,
      params: 0,
    },
  ];
  if (u.attn) {
    blocks.push({
      name: u.attn,
      kind: 'attn',
      part,
      level,
      size: u.size,
      inCh: u.outCh,
      outCh: u.outCh,
      skipCh: 0,
      params: 0,
    });
  }
  return blocks;
}

function unitBlocks(u: Unit, part: BlockPart, sizes: number[]): NetworkBlock[] {
  if (u.kind === 'res') return resBlock(u, part, sizes.indexOf(u.size));
  return [
    {
      name: u.name,
      kind: u.kind,
      part,
      level: sizes.indexOf(u.outSize),
      size: u.outSize,
      inCh: u.ch,
      outCh: u.ch,
      skipCh: 0,
      params: 0,
    },
  ];
}

/** The network's blocks in forward order, each with the number of parameters it owns. */
export function networkDiagram(config: UNetConfig): NetworkDiagram {
  const arch = buildArchitecture(config);
  const sizes = levelSizes(config);
  const grid = gridSize(config);
  const chIn = gridChannels(config);
  const T = arch.tembDim;
  const base = config.baseChannels;
  const blocks: NetworkBlock[] = [
    {
      name: 'temb',
      kind: 'timeEmbedding',
      part: 'embedding',
      level: null,
      size: null,
      inCh: base,
      outCh: T,
      skipCh: 0,
      params: 0,
    },
  ];
  if (config.numClasses > 0) {
    blocks.push({
      name: 'class_emb',
      kind: 'classEmbedding',
      part: 'embedding',
      level: null,
      size: null,
      inCh: config.numClasses + 1,
      outCh: T,
      skipCh: 0,
      params: 0,
    });
  }
  blocks.push({
    name: 'conv_in',
    kind: 'convIn',
    part: 'input',
    level: 0,
    size: grid,
    inCh: chIn,
    outCh: base,
    skipCh: 0,
    params: 0,
  });
  for (const u of arch.down) blocks.push(...unitBlocks(u, 'down', sizes));
  for (const u of arch.mid) blocks.push(...unitBlocks(u, 'mid', sizes));
  for (const u of arch.up) blocks.push(...unitBlocks(u, 'up', sizes));
  // norm_out and conv_out are one block (GroupNorm → SiLU → conv to the grid's channels).
  const out: NetworkBlock = {
    name: 'out',
    kind: 'out',
    part: 'output',
    level: 0,
    size: grid,
    inCh: arch.outCh,
    outCh: chIn,
    skipCh: 0,
    params: 0,
  };
  blocks.push(out);

  const byPrefix = new Map(blocks.map((b) => [b.name, b]));
  for (const spec of paramSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const owner =
      spec.name.startsWith('norm_out.') || spec.name.startsWith('conv_out.')
        ? out
        : ownerOf(spec.name, byPrefix);
    if (!owner) throw new Error(`internal: parameter ${spec.name} belongs to no block`);
    owner.params += size;
  }
  return {
    imageSize: config.imageSize,
    inChannels: config.inChannels,
    patch: patchSize(config),
    gridSize: grid,
    gridChannels: chIn,
    levels: sizes.map((size, i) => ({ size, channels: base * config.channelMults[i] })),
    tembDim: T,
    numClasses: config.numClasses,
    blocks,
    totalParams: blocks.reduce((n, b) => n + b.params, 0),
  };
}

/** The block whose name is the longest prefix of `param` followed by a dot. */
function ownerOf(param: string, blocks: Map<string, NetworkBlock>): NetworkBlock | undefined {
  const parts = param.split('.');
  for (let k = parts.length - 1; k > 0; k--) {
    const block = blocks.get(parts.slice(0, k).join('.'));
    if (block) return block;
  }
  return undefined;
}
