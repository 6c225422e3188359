/**
 * A typed client for the API, for Node (the CLI), browsers (the viewer, the web component) and any
 * `fetch`. Its types are the API's own zod schemas (worker/http/schemas.ts), inferred, so the client
 * cannot drift from what the service validates and documents. Failures throw `GradcamApiError`.
 *
 * @example
 *   const client = createGradcamClient({ baseUrl: 'http://127.0.0.1:8787' });
 *   const result = await client.explain(bytes, { model: 'compact-efficientnet', topk: 2 });
 *   const png = await client.overlay(result.id!, { colormap: 'viridis' });
 */
import type { z } from 'zod';
import type { ColormapName } from '../worker/render/colormap';
import type { ExplainResponseSchema, ModelSummarySchema, StoredExplanationSchema } from '../worker/http/schemas';
import { errorFromResponse, unreachableError } from './client-error';

export type ExplainResponse = z.output<typeof ExplainResponseSchema>;
export type StoredExplanation = z.output<typeof StoredExplanationSchema>;
export type ModelSummary = z.output<typeof ModelSummarySchema>;
export interface ModelList {
  default: string;
  models: ModelSummary[];
}

export interface GradcamClientOptions {
  /** The service's origin, e.g. `http://127.0.0.1:8787`; paths are resolved against it. */
  baseUrl: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

export interface ExplainOptions {
  model?: string;
  method?: string;
  /** Label indices or names; wins over `topk`. */
  classes?: (string | number)[];
  topk?: number;
  layer?: string;
  /** false: nothing is stored (no id, no links). */
  store?: boolean;
  /** Image type; default: sniffed by the service (`application/octet-stream`). */
  contentType?: string;
  /**
   * Called as the body is read for sending (bytes so far, total). Streams the request body, which Node's
   * fetch does over HTTP/1.1; browsers stream uploads only over HTTP/2 (the viewer uses XHR instead).
   */
  onUploadProgress?: (sent: number, total: number) => void;
}

export interface OverlayOptions {
  /** Label index of the explained class; default: the first explained class. */
  classIndex?: number;
  colormap?: ColormapName;
  alpha?: number;
}

/** Upload chunk size for progress reports. */
const UPLOAD_CHUNK = 64 * 1024;

function progressStream(bytes: Uint8Array, onProgress: (sent: number, total: number) => void): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.byteLength, offset + UPLOAD_CHUNK);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      onProgress(offset, bytes.byteLength);
    },
  });
}

export function createGradcamClient(options: GradcamClientOptions) {
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const url = (path: string) => new URL(path, options.baseUrl).href;

  async function send(path: string, init?: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(url(path), init);
    } catch (cause) {
      throw unreachableError(url(path), cause);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  const getJson = async <T>(path: string): Promise<T> => (await send(path, { headers: { accept: 'application/json' } })).json() as Promise<T>;
  const explanationPath = (id: string) => `/v1/explanations/${encodeURIComponent(id)}`;

  return {
    listModels: () => getJson<ModelList>('/v1/models'),

    getExplanation: (id: string) => getJson<StoredExplanation>(explanationPath(id)),

    /** The stored preview of the explained image (JPEG, longest side ≤ 512 px). */
    preview: async (id: string): Promise<Blob> => (await send(`${explanationPath(id)}/image`)).blob(),

    /** The map drawn over the preview, as PNG bytes. */
    overlay: async (id: string, overlay: OverlayOptions = {}): Promise<Uint8Array> => {
      const query = new URLSearchParams();
      if (overlay.classIndex !== undefined) query.set('class', String(overlay.classIndex));
      if (overlay.colormap) query.set('colormap', overlay.colormap);
      if (overlay.alpha !== undefined) query.set('alpha', String(overlay.alpha));
      const suffix = query.size > 0 ? `?${query}` : '';
      return new Uint8Array(await (await send(`${explanationPath(id)}/overlay.png${suffix}`)).arrayBuffer());
    },

    /** POST /v1/explain with the image as the raw body. */
    explain: async (image: Uint8Array, explain: ExplainOptions = {}): Promise<ExplainResponse> => {
      const query = new URLSearchParams();
      if (explain.model) query.set('model', explain.model);
      if (explain.method) query.set('method', explain.method);
      if (explain.topk !== undefined) query.set('topk', String(explain.topk));
      if (explain.layer) query.set('layer', explain.layer);
      if (explain.store === false) query.set('store', 'false');
      for (const c of explain.classes ?? []) query.append('class', String(c));
      const body = explain.onUploadProgress ? progressStream(image, explain.onUploadProgress) : (image as Uint8Array<ArrayBuffer>);
      const response = await send(`/v1/explain${query.size > 0 ? `?${query}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': explain.contentType ?? 'application/octet-stream', accept: 'application/json' },
        body,
        // A streamed body must say so (Fetch: RequestInit.duplex); ignored for a plain one.
        ...(explain.onUploadProgress ? { duplex: 'half' } : {}),
      } as RequestInit);
      return (await response.json()) as ExplainResponse;
    },
  };
}

export type GradcamClient = ReturnType<typeof createGradcamClient>;
