/**
 * GET /oembed (oembed.com): how WordPress, Ghost, Discourse, Slack and Discord turn a link to `/e/{id}`
 * or `/embed/{id}` into an embed. A `rich` answer (§2.3.4.4) whose `html` is one lazy `<iframe>` of the
 * embed page — no `<blockquote>`, which would make WordPress hide the frame until it reports a height —
 * sized within `maxwidth` × `maxheight` (§2.2), with the card or the overlay as its thumbnail when one
 * fits. 404 for a URL that is not one of ours or names no stored explanation, 501 for a format other
 * than JSON (§2.3.5); the pages announce the endpoint (§4) in their head and in a `Link` header.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';
import type { Env } from '../../env';
import { CARD_HEIGHT, CARD_WIDTH } from '../../render/card';
import { explanationStore } from '../../service/worker-deps';
import { SITE_NAME, summarizeExplanation, type ExplanationSummary } from '../explanation-summary';
import { problemResponses } from '../openapi-responses';
import { ProblemError } from '../problem';
import { findExplanation, unknownExplanationDetail } from '../stored-explanation';

/** oembed.com §2.3.4: "The oEmbed version number. This must be 1.0." */
export const OEMBED_VERSION = '1.0' as const;
/** How long consumers may keep an answer (§2.3.4 `cache_age`): a day; explanations never change. */
export const OEMBED_CACHE_AGE_SECONDS = 86_400;

const dimension = z.coerce.number().int().positive().optional();

export const OembedQuerySchema = z.object({
  url: z.string().min(1).openapi({ description: 'A link to an explanation: `{origin}/e/{id}` or `{origin}/embed/{id}`' }),
  maxwidth: dimension.openapi({ description: 'Largest width the consumer can show (§2.2)' }),
  maxheight: dimension.openapi({ description: 'Largest height the consumer can show (§2.2)' }),
  // Declared as `json` only, so that clients (and the contract's fuzzer) are offered the one format served;
  // `xml`, the spec's other format, still answers 501 as oEmbed §2.3.4 asks, and anything else is a 400.
  format: z.string().optional().openapi({ enum: ['json'], description: '`json` (the default); `xml` answers 501 (oEmbed §2.3.4), anything else 400' }),
});

export const OembedResponseSchema = z
  .object({
    type: z.literal('rich'),
    version: z.literal(OEMBED_VERSION),
    title: z.string(),
    author_name: z.string(),
    provider_name: z.string(),
    provider_url: z.string(),
    cache_age: z.number().int(),
    html: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    thumbnail_url: z.string().optional(),
    thumbnail_width: z.number().int().optional(),
    thumbnail_height: z.number().int().optional(),
  })
  .openapi('OembedResponse');

const oembedRoute = createRoute({
  method: 'get',
  path: '/oembed',
  summary: 'oEmbed (oembed.com) for links to explanations: a rich embed of the embed page',
  request: { query: OembedQuerySchema },
  responses: {
    200: { description: 'The oEmbed answer', content: { 'application/json': { schema: OembedResponseSchema } } },
    ...problemResponses(400, 404, 501),
  },
});

const PAGE_PATH = /^\/(?:e|embed)\/([^/]+)\/?$/;

/** The explanation id of `url` when it is one of this origin's page links, else undefined. */
export function explanationIdOfUrl(url: string, origin: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== origin) return undefined;
  return PAGE_PATH.exec(parsed.pathname)?.[1];
}

interface Size {
  width: number;
  height: number;
}

/** `natural` scaled down (never up) to fit within the consumer's limits, keeping its aspect ratio, in whole pixels. */
export function fitSize(natural: Size, maxWidth = Infinity, maxHeight = Infinity): Size {
  const scale = Math.min(1, maxWidth / natural.width, maxHeight / natural.height);
  return { width: Math.max(1, Math.floor(natural.width * scale)), height: Math.max(1, Math.floor(natural.height * scale)) };
}

/** The largest image of ours that fits within the limits, as the spec's thumbnail triple; none when neither fits. */
function thumbnail(summary: ExplanationSummary, maxWidth = Infinity, maxHeight = Infinity) {
  const candidates = [
    { url: summary.cardUrl, width: CARD_WIDTH, height: CARD_HEIGHT },
    { url: summary.overlayUrl, width: summary.previewWidth, height: summary.previewHeight },
  ];
  const fitting = candidates.find((c) => c.width <= maxWidth && c.height <= maxHeight);
  return fitting ? { thumbnail_url: fitting.url, thumbnail_width: fitting.width, thumbnail_height: fitting.height } : {};
}

export function registerOembed(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(oembedRoute, async (c) => {
    const query = c.req.valid('query');
    if (query.format === 'xml') throw new ProblemError('notImplemented', 'oEmbed format "xml" is not implemented; use format=json');
    if (query.format !== undefined && query.format !== 'json') throw new ProblemError('badRequest', `oEmbed format "${query.format}" is not one of the spec's (json, xml)`);
    const origin = new URL(c.req.url).origin;
    const id = explanationIdOfUrl(query.url, origin);
    if (!id) throw new ProblemError('notFound', `${query.url} is not a link to an explanation of ${origin}`);
    const explanation = await findExplanation(explanationStore(c.env), id);
    if (!explanation) throw new ProblemError('notFound', unknownExplanationDetail(id));

    const summary = summarizeExplanation(explanation, origin);
    const { width, height } = fitSize({ width: summary.previewWidth, height: summary.previewHeight }, query.maxwidth, query.maxheight);
    const iframe = html`<iframe src="${summary.embedUrl}" width="${width}" height="${height}" frameborder="0" scrolling="no" title="${summary.title}" loading="lazy"></iframe>`;
    const body = {
      type: 'rich' as const,
      version: OEMBED_VERSION,
      title: summary.title,
      author_name: summary.modelAndMethod,
      provider_name: SITE_NAME,
      provider_url: `${origin}/`,
      cache_age: OEMBED_CACHE_AGE_SECONDS,
      html: String(iframe),
      width,
      height,
      ...thumbnail(summary, query.maxwidth, query.maxheight),
    };
    return c.json(body, 200, { 'access-control-allow-origin': '*', 'cache-control': `public, max-age=${OEMBED_CACHE_AGE_SECONDS}` });
  });
}
