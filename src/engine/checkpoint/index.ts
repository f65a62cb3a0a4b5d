// Public API of checkpoints for the worker and the CLI. fsStore (node:fs) is deliberately not
// re-exported, so that the worker bundle never pulls in Node modules: the CLI imports
// './checkpoint/fsStore' directly.
export * from './types';
export { CheckpointError, type CheckpointErrorCode } from './errors';
export { validateManifest, summarizeManifest, type CheckpointSummary } from './manifest';
export { weightsByteLength } from './weightsManifest';
export { encodeCheckpoint, decodeCheckpoint, type EncodeOptions } from './serialize';
export { createUNetFromCheckpoint, assignParams } from './restore';
export {
  packCheckpoint,
  unpackCheckpoint,
  fromFiles,
  modelJsonText,
  parseModelJson,
  PACK_EXTENSION,
  PACK_MAGIC,
  PACK_VERSION,
} from './pack';
export {
  IdbCheckpointStore,
  validateCheckpointName,
  IDB_NAME,
  type StoredCheckpointInfo,
} from './idbStore';
