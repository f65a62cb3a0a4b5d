// Where prepared data comes from. The browser and the Worker fetch it over HTTP; Node reads it from
// disk through fsSource (src/data/fsSource.ts, kept apart so browser bundles never see node:fs).
// Paths are relative to the data root (public/data/), e.g. 'mnist/manifest.json'.
import { DataError, errorText } from './errors';

export interface DataSource {
  /** Where `path` lives (URL or file path), for messages. */
  describe(path: string): string;
  /** Parsed JSON of the file; DataError when missing or not JSON. */
  readJson(path: string): Promise<unknown>;
  /** The file's bytes; DataError when missing or unreadable. */
  readBytes(path: string): Promise<Uint8Array>;
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Parses text as JSON, with a DataError naming the file on failure. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `not valid JSON (${errorText(e)})`, { cause: e });
  }
}

/**
 * A source that fetches files below `baseUrl`. In a Worker, pass an absolute URL built on the
 * main thread (e.g. `new URL('data/', document.baseURI).href`): a relative one would resolve
 * against the worker script's URL, which a build puts in assets/.
 */
export function fetchSource(baseUrl: string | URL, fetchImpl?: FetchLike): DataSource {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const base = new URL(String(baseUrl), here);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  // Call the global through a closure: a detached `fetch` throws "Illegal invocation" in browsers.
  const get: FetchLike = fetchImpl ?? ((url, init) => globalThis.fetch(url, init));
  const urlOf = (path: string) => new URL(path, base).href;

  async function request(path: string): Promise<Response> {
    const url = urlOf(path);
    let res: Response;
    try {
      // 'no-cache' revalidates (a cheap 304) instead of trusting the HTTP cache blindly: after a
      // re-prepare, a stale cached shard next to a fresh manifest would fail its checksum.
      res = await get(url, { cache: 'no-cache' });
    } catch (e) {
      throw new DataError(url, `could not download (${errorText(e)}); is the server running?`, {
        cause: e,
      });
    }
    if (res.status === 404) {
      throw new DataError(url, 'file not found: the prepared data is missing');
    }
    if (!res.ok) throw new DataError(url, `download failed: HTTP ${res.status} ${res.statusText}`);
    // Dev servers with an SPA fallback answer a missing file with index.html and status 200.
    if ((res.headers.get('content-type') ?? '').includes('text/html')) {
      throw new DataError(url, 'the server sent an HTML page, so the prepared data is missing');
    }
    return res;
  }

  async function body(path: string, res: Response): Promise<Uint8Array> {
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new DataError(urlOf(path), `download interrupted (${errorText(e)})`, { cause: e });
    }
  }

  return {
    describe: urlOf,
    async readJson(path) {
      const bytes = await body(path, await request(path));
      return parseJson(new TextDecoder().decode(bytes), urlOf(path));
    },
    async readBytes(path) {
      return body(path, await request(path));
    },
  };
}
