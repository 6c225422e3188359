/**
 * GET /v1/diagnostics: what this isolate holds — TF.js tensors, the WASM heap, recent explanations kept for
 * their links, admission — for the bench's soak phase (bench/soak.ts) to see whether anything grows under
 * load. Answers only where `DIAGNOSTICS = "on"` (`wrangler dev --var DIAGNOSTICS:on`), otherwise 404 like any
 * unknown route; not part of the OpenAPI document.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { Env } from '../../env';
import { initWasmBackend } from '../../runtime/wasm-workerd';
import { isolateState } from '../../service/worker-deps';
import { PROBLEMS, problemResponse } from '../problem';

export function registerDiagnostics(app: OpenAPIHono<{ Bindings: Env }>) {
  app.get('/v1/diagnostics', async (c) => {
    if (c.env.DIAGNOSTICS !== 'on') return problemResponse({ ...PROBLEMS.notFound, detail: 'no route for GET /v1/diagnostics' });
    await initWasmBackend();
    const { numTensors, numBytes } = tf.memory();
    const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return c.json({ tensors: numTensors, tensorBytes: numBytes, wasmHeapBytes: backend.wasm?.HEAPU8.buffer.byteLength ?? 0, ...isolateState() }, 200, {
      'cache-control': 'no-store',
    });
  });
}
