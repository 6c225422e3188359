/** Request and response schemas: validation for the handlers and the source of the OpenAPI document. */
import { z } from '@hono/zod-openapi';
import { EXPLANATION_ID } from '../cache/explanation-key';
import { DEFAULT_METHOD, METHOD_NAMES } from '../explain/methods/method-names';
import { MODEL_ID } from '../model/manifest';
import { PREVIEW_MAX_SIDE } from '../image';
import { COLORMAP_NAMES, DEFAULT_COLORMAP } from '../render/colormap';

/** Bounds of `topk` (issue: "topk (1–10)"). */
export const TOPK_MIN = 1;
export const TOPK_MAX = 10;
export const TOPK_DEFAULT = 3;

const repeatable = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const ExplainQuerySchema = z.object({
  model: z.string().regex(MODEL_ID, 'a model id: lower-case letters, digits, ".", "_" or "-"').optional().openapi({
    description: 'Model id (GET /v1/models); default: the embedded default model',
    example: 'compact-efficientnet',
  }),
  topk: z.coerce.number().int().min(TOPK_MIN).max(TOPK_MAX).default(TOPK_DEFAULT).openapi({
    description: `Explain the k best classes (${TOPK_MIN}–${TOPK_MAX}); ignored when \`class\` is given`,
  }),
  class: repeatable.openapi({
    description: 'Class to explain, by label index or label name; repeat for several',
    param: { style: 'form', explode: true },
  }),
  layer: z.string().min(1).max(200).optional().openapi({
    description: "Grad-CAM layer name; default: the model manifest's (automatic: the input of the last global pooling)",
  }),
  method: z.enum(METHOD_NAMES).default(DEFAULT_METHOD).openapi({
    description: 'Explanation method',
  }),
  store: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').openapi({
    description: 'false: keep nothing about this request (no cache lookup, no stored result, no links)',
  }),
});

export const ProblemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string() })
  .openapi('Problem');

const PredictionSchema = z.object({ index: z.number().int(), label: z.string(), score: z.number() }).openapi('Prediction');

const MapSchema = z
  .object({
    width: z.number().int(),
    height: z.number().int(),
    min: z.number(),
    max: z.number(),
    data: z.string().openapi({ description: 'base64 of width×height uint8, the min–max normalised map, row-major' }),
    raw: z.string().openapi({ description: 'base64 of width×height float32 little-endian, the raw map (ReLU applied)' }),
  })
  .openapi('Map');

export const ExplanationSchema = z
  .object({
    computedOn: z.enum(['device']).optional().openapi({
      description: 'Absent: computed by this service. `device`: computed in a browser and shared (POST /v1/explanations)',
    }),
    image: z.object({ sha256: z.string(), width: z.number().int(), height: z.number().int(), type: z.string() }),
    model: z.object({ id: z.string(), version: z.string() }),
    method: z.string(),
    layer: z.object({ name: z.string(), width: z.number().int(), height: z.number().int(), channels: z.number().int() }),
    predictions: z.array(PredictionSchema),
    explanations: z.array(PredictionSchema.extend({ logit: z.number(), map: MapSchema })),
  })
  .openapi('Explanation');

const LinksSchema = z
  .object({ self: z.string(), image: z.string(), overlay: z.string(), page: z.string(), embed: z.string() })
  .openapi('ExplanationLinks');

export const StoredExplanationSchema = ExplanationSchema.extend({ id: z.string(), links: LinksSchema }).openapi('StoredExplanation');

export const ExplainResponseSchema = ExplanationSchema.extend({
  id: z.string().optional().openapi({ description: 'Stable id of the stored explanation (absent when not stored)' }),
  cache: z.enum(['hit', 'miss', 'off']),
  storage: z.enum(['stored', 'pending', 'failed', 'off']).openapi({
    description: 'stored: in KV; pending: a miss, written in the background (its links work at once); failed: that write failed; off: store=false',
  }),
  links: LinksSchema.optional(),
}).openapi('ExplainResponse');

export const SharedExplanationSchema = z
  .object({
    id: z.string().openapi({ description: 'A fresh random id: the service did not compute the result, so it is not the HMAC of a cache key' }),
    computedOn: z.literal('device'),
    links: LinksSchema,
  })
  .openapi('SharedExplanation');

export const ShareRequestSchema = z
  .object({
    document: ExplanationSchema.openapi({ description: 'The explanation as the browser computed it' }),
    preview: z
      .string()
      .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64 (RFC 4648 §4, padded)')
      .openapi({ description: `base64 of a JPEG of the image, longest side ≤ ${PREVIEW_MAX_SIDE} px` }),
  })
  .openapi('ShareRequest');

export const ExplanationIdParamSchema = z.object({
  id: z.string().regex(EXPLANATION_ID, 'not an explanation id (22 characters of A–Z, a–z, 0–9, "-", "_")').openapi({ param: { name: 'id', in: 'path' }, description: 'Explanation id (22 characters, base64url)' }),
});

export const OverlayQuerySchema = z.object({
  colormap: z.enum(COLORMAP_NAMES).default(DEFAULT_COLORMAP),
  alpha: z.coerce.number().min(0).max(1).default(0.5).openapi({ description: 'Opacity of the map, 0–1' }),
  class: z.coerce.number().int().nonnegative().optional().openapi({
    description: 'Label index of the explained class to draw; default: the first explained class',
  }),
});

export const ModelSummarySchema = z
  .object({
    id: z.string(),
    version: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
    task: z.string(),
    format: z.string(),
    input: z.object({ width: z.number().int(), height: z.number().int() }),
    labels: z.array(z.string()),
    gradcamLayer: z.string(),
    default: z.boolean(),
  })
  .openapi('Model');
