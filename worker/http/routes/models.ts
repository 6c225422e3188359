/**
 * The models: their list, each one's manifest, and its files, which the viewer's private mode downloads
 * to run the model in the browser. Files are addressed by the model's version, so they never change and
 * are cached for a year.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';
import { MODEL_ID, ModelManifestSchema, type ModelManifest } from '../../model/manifest';
import { listManifests, modelFileKey, readManifest } from '../../model/model-store';
import { IMMUTABLE_CACHE_CONTROL, notModified, strongEtag } from '../immutable';
import { problemResponses } from '../openapi-responses';
import { ProblemError } from '../problem';
import { ModelSummarySchema } from '../schemas';

export const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'The models this service can explain, with their classes',
  responses: {
    200: {
      description: 'The models',
      content: { 'application/json': { schema: z.object({ default: z.string(), models: z.array(ModelSummarySchema) }) } },
    },
  },
});

const ModelIdParamSchema = z.object({
  id: z.string().regex(MODEL_ID, 'a model id: lower-case letters, digits, ".", "_" or "-"').openapi({ param: { name: 'id', in: 'path' }, example: 'tiny-darknet' }),
});

/**
 * The manifest as the OpenAPI document describes it: zod's RGB tuples come out as OpenAPI 3.0 `items: [...]`,
 * which 3.1 (JSON Schema 2020-12) rejects, so they are declared here as arrays of exactly three numbers.
 */
const RGB = z.array(z.number()).length(3);
const ManifestDocumentSchema = ModelManifestSchema.extend({
  preprocessing: ModelManifestSchema.shape.preprocessing.extend({ mean: RGB, std: RGB }),
});

export const manifestRoute = createRoute({
  method: 'get',
  path: '/v1/models/{id}',
  summary: "A model's manifest: input, preprocessing, labels, Grad-CAM layer and its files with their SHA-256",
  request: { params: ModelIdParamSchema },
  responses: {
    200: { description: 'The manifest', content: { 'application/json': { schema: ManifestDocumentSchema } } },
    ...problemResponses(400, 404),
  },
});

/**
 * Who may load a model file: only pages of this origin (Fetch, `Cross-Origin-Resource-Policy`). Same-origin
 * loads need no CORP under the viewer's `Cross-Origin-Embedder-Policy: require-corp`; the header keeps
 * other origins' no-cors requests from reading the weights into their process.
 */
export const MODEL_FILE_CORP = 'same-origin';

export const modelFileRoute = createRoute({
  method: 'get',
  path: '/v1/models/{id}/files/{version}/{path}',
  summary: "One of a model's files (model.json, weight shards), as its manifest lists it",
  description:
    'Immutable: the version is part of the address, so responses are cached for a year and revalidated by the ' +
    "file's SHA-256 as a strong ETag. `path` may contain \"/\". A version other than the model's current one is 404.",
  request: {
    params: ModelIdParamSchema.extend({
      version: z.string().openapi({ param: { name: 'version', in: 'path' }, description: "The manifest's `version`" }),
      path: z.string().openapi({ param: { name: 'path', in: 'path' }, description: 'A path from the manifest\'s `files`', example: 'model.json' }),
    }),
  },
  responses: {
    200: {
      description: 'The file',
      content: {
        'application/json': { schema: z.unknown().openapi({ description: 'The model.json, as the manifest lists it' }) },
        'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...problemResponses(400, 404),
  },
});

async function requireManifest(kv: KVNamespace, id: string): Promise<ModelManifest> {
  if (!MODEL_ID.test(id)) throw new ProblemError('badRequest', `"${id}" is not a model id`);
  const manifest = await readManifest(kv, id);
  if (!manifest) throw new ProblemError('modelNotFound', `no model with id "${id}"; GET /v1/models lists them`);
  return manifest;
}

export function registerModels(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(modelsRoute, async (c) => {
    const manifests = await listManifests(c.env.MODELS);
    const models = manifests.map((m) => ({
      id: m.id,
      version: m.version,
      name: m.name,
      description: m.description,
      task: m.task,
      format: m.format,
      input: { width: m.input.width, height: m.input.height },
      labels: m.labels,
      gradcamLayer: m.gradcamLayer,
      default: m.id === c.env.DEFAULT_MODEL,
    }));
    return c.json({ default: c.env.DEFAULT_MODEL, models }, 200);
  });

  app.openapi(manifestRoute, async (c) => {
    const manifest = await requireManifest(c.env.MODELS, c.req.valid('param').id);
    // A new version may replace it at any time: revalidate on every use.
    return c.json(manifest, 200, { 'cache-control': 'no-cache' });
  });

  // Registered by hand: a file's path may contain "/", which an OpenAPI path parameter cannot express.
  app.openAPIRegistry.registerPath(modelFileRoute);
  app.get('/v1/models/:id/files/:version/:path{.+}', async (c) => {
    const { id, version, path } = c.req.param();
    const manifest = await requireManifest(c.env.MODELS, id);
    if (version !== manifest.version) {
      throw new ProblemError('notFound', `model ${id} has no version "${version}"; its current version is ${manifest.version}`);
    }
    const file = manifest.files.find((f) => f.path === path);
    if (!file) throw new ProblemError('notFound', `model ${id} has no file "${path}"`);
    const etag = strongEtag(file.sha256);
    const cached = notModified(c, etag);
    if (cached) {
      cached.headers.set('cross-origin-resource-policy', MODEL_FILE_CORP);
      return cached;
    }
    const body = await c.env.MODELS.get(modelFileKey(manifest, file.path), 'stream');
    if (!body) throw new ProblemError('notFound', `model ${id}: file ${path} is not stored`);
    return new Response(body, {
      headers: {
        'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'content-length': String(file.bytes),
        etag,
        'cache-control': IMMUTABLE_CACHE_CONTROL,
        'cross-origin-resource-policy': MODEL_FILE_CORP,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
