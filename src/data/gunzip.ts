// gzip decoding with the platform's DecompressionStream: the same code runs in Node 20, browsers
// and Web Workers, with no JS inflate library in the bundle.
import { DataError, errorText } from './errors';

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a whole gzip file; `file` names it in the DataError on corrupt input. */
export async function gunzip(bytes: Uint8Array, file = 'gzip data'): Promise<Uint8Array> {
  try {
    // One chunk in, no Blob copy; Response collects the output into one buffer.
    // (The cast only narrows ArrayBufferLike to ArrayBuffer for the DOM typings; our buffers
    // are never SharedArrayBuffers.)
    const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        controller.enqueue(bytes as Uint8Array<ArrayBuffer>);
        controller.close();
      },
    });
    const output = input.pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(output).arrayBuffer());
  } catch (e) {
    throw new DataError(file, `corrupt or truncated gzip data in ${file} (${errorText(e)})`, {
      cause: e,
    });
  }
}
