/**
 * Where the files of a model bundle come from, so the code that parses them runs unchanged in Node
 * (a directory, node-source.ts) and in a browser (URLs, `httpSource` here). Names are relative,
 * e.g. "config.json" or "eval.u16".
 */
import { ResourceError } from "./errors.js";
export interface BundleSource {
  /** A directory or a base URL, for messages. */
  readonly location: string;
  /** The full path or URL of `name`, for messages. */
  describe(name: string): string;
  readBytes(name: string): Promise<Uint8Array>;
  readText(name: string): Promise<string>;
  /** Whether `name` exists (optional files such as token-ranks.json). */
  exists(name: string): Promise<boolean>;
}

/** A file that could not be read; `code` is e.g. "ENOENT" or "HTTP 404". */
export class SourceReadError extends ResourceError {
  override name = "SourceReadError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface HttpSourceOptions {
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Called as bytes arrive, with the total when the server sends Content-Length. */
  onProgress?: (name: string, loaded: number, total: number | null) => void;
}

/** Files under a base URL ("https://host/model/" or a relative "model/" resolved against `document.baseURI`). */
export function httpSource(base: string | URL, options: HttpSourceOptions = {}): BundleSource {
  const root = new URL(String(base).endsWith("/") ? String(base) : `${String(base)}/`, globalBaseUrl());
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const urlOf = (name: string) => new URL(name, root);
  const get = async (name: string): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(urlOf(name));
    } catch (e) {
      throw new SourceReadError(`cannot fetch ${urlOf(name)}: ${(e as Error).message}`, "NETWORK");
    }
    if (!res.ok) throw new SourceReadError(`cannot fetch ${urlOf(name)}: HTTP ${res.status} ${res.statusText}`.trim(), `HTTP ${res.status}`);
    return res;
  };
  return {
    location: root.href,
    describe: (name) => urlOf(name).href,
    async readText(name) {
      return (await get(name)).text();
    },
    async readBytes(name) {
      const res = await get(name);
      const length = Number(res.headers.get("content-length"));
      const total = Number.isFinite(length) && length > 0 ? length : null;
      if (!options.onProgress || !res.body) return new Uint8Array(await res.arrayBuffer());
      // Streamed so a large weights file can report progress.
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      options.onProgress(name, 0, total);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        options.onProgress(name, loaded, total);
      }
      const out = new Uint8Array(loaded);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      return out;
    },
    async exists(name) {
      try {
        const res = await doFetch(urlOf(name), { method: "HEAD" });
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}

/** The page's (or worker's) own URL, against which relative bundle URLs resolve; none in Node. */
function globalBaseUrl(): string | undefined {
  const g = globalThis as { location?: { href?: string }; document?: { baseURI?: string } };
  return g.document?.baseURI ?? g.location?.href;
}
