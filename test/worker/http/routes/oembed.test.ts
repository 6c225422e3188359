/**
 * /oembed in workerd against the spec (oembed.com §2.3.4 fields, §2.2 maxwidth/maxheight, §2.3.5
 * errors, §4 discovery), with a real explanation in real KV.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Env } from '../../../../worker/env';
import { createApp } from '../../../../worker/http/app';
import { decodeEntities, parsePage } from '../../../support/html-head';
import { explainFixture, type ExplainedBody } from '../../../support/explanations';
import { staticPages } from '../../../support/static-pages';

const ORIGIN = 'https://gradcam.example';
const app = createApp();
const request = (url: string) => app.request(url.startsWith('http') ? url : `${ORIGIN}${url}`, {}, { ...(env as unknown as Env), ASSETS: staticPages });

const positiveInt = z.number().int().positive();
/** The spec's required fields for every type and for `rich` (§2.3.4, §2.3.4.4), as a consumer would check them. */
const RichResponse = z
  .object({
    type: z.literal('rich'),
    version: z.literal('1.0'),
    html: z.string().min(1),
    width: positiveInt,
    height: positiveInt,
    title: z.string().optional(),
    author_name: z.string().optional(),
    provider_name: z.string().optional(),
    provider_url: z.url().optional(),
    cache_age: z.number().int().nonnegative().optional(),
    thumbnail_url: z.url().optional(),
    thumbnail_width: positiveInt.optional(),
    thumbnail_height: positiveInt.optional(),
  })
  .refine((r) => [r.thumbnail_url, r.thumbnail_width, r.thumbnail_height].filter((v) => v === undefined).length % 3 === 0, 'thumbnail fields all or none');

let explained: ExplainedBody;
const oembedFor = (url: string, extra = '') => request(`/oembed?url=${encodeURIComponent(url)}${extra}`);

beforeAll(async () => {
  explained = await explainFixture('chelsea.png');
});

describe('/oembed', () => {
  it('answers a rich embed of the embed page for a link to /e/{id} or /embed/{id}', async () => {
    for (const link of [explained.links.page.replace('http://worker', ORIGIN), `${ORIGIN}/embed/${explained.id}?class=1`]) {
      const response = await oembedFor(link, '&format=json');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const body = RichResponse.parse(await response.json());
      expect(body.provider_name).toBe('Grad-CAM at the edge');
      expect(body.provider_url).toBe(`${ORIGIN}/`);
      expect(body.title).toContain(explained.explanations[0].label);
      expect(body.author_name).toBe(`${explained.model.id} · grad-cam`);
      // One lazy iframe of the embed page, nothing else (no blockquote: WordPress would hide the frame).
      const iframes = [...body.html.matchAll(/<iframe\b[^>]*>/g)];
      expect(iframes).toHaveLength(1);
      expect(body.html).toMatch(/^<iframe [^>]+><\/iframe>$/);
      expect(body.html).toContain('loading="lazy"');
      expect(body.html).toContain(`src="${ORIGIN}/embed/${explained.id}"`);
      expect(body.html).toContain(`width="${body.width}" height="${body.height}"`);
      expect(body.thumbnail_url).toBe(`${ORIGIN}/v1/explanations/${explained.id}/card.png`);
      expect([body.thumbnail_width, body.thumbnail_height]).toEqual([1200, 630]);
    }
  });

  it.each([
    [320, 200],
    [100, undefined],
    [undefined, 90],
    [4000, 4000],
  ])('keeps the frame and the thumbnail within maxwidth=%s and maxheight=%s', async (maxwidth, maxheight) => {
    const query = `${maxwidth ? `&maxwidth=${maxwidth}` : ''}${maxheight ? `&maxheight=${maxheight}` : ''}`;
    const body = RichResponse.parse(await (await oembedFor(`${ORIGIN}/e/${explained.id}`, query)).json());
    expect(body.width).toBeLessThanOrEqual(maxwidth ?? Infinity);
    expect(body.height).toBeLessThanOrEqual(maxheight ?? Infinity);
    // The frame keeps the image's aspect ratio (within a pixel of rounding).
    expect(Math.abs(body.height - (body.width * explained.image.height) / explained.image.width)).toBeLessThanOrEqual(1);
    if (body.thumbnail_url) {
      expect(body.thumbnail_width!).toBeLessThanOrEqual(maxwidth ?? Infinity);
      expect(body.thumbnail_height!).toBeLessThanOrEqual(maxheight ?? Infinity);
    }
  });

  it('is discovered from the page head and the Link header, and points back at the page', async () => {
    const response = await request(`/e/${explained.id}`);
    const fromHeader = /^<([^>]+)>; rel="alternate"; type="application\/json\+oembed"$/.exec(response.headers.get('link') ?? '')?.[1];
    const parsed = await parsePage(response);
    const link = parsed.links.find((l) => l.rel === 'alternate' && l.type === 'application/json+oembed');
    expect(link).toBeDefined();
    const href = decodeEntities(link!.href);
    expect(fromHeader).toBe(href);
    const url = new URL(href);
    expect(url.origin).toBe(ORIGIN);
    // Discovery URLs carry url and format only (§4).
    expect([...url.searchParams.keys()].sort()).toEqual(['format', 'url']);
    expect(url.searchParams.get('url')).toBe(`${ORIGIN}/e/${explained.id}`);
    const body = RichResponse.parse(await (await request(href)).json());
    expect(body.html).toContain(`/embed/${explained.id}`);
  });

  it.each([
    ['a foreign origin', () => `https://elsewhere.example/e/${explained.id}`],
    ['another path of ours', () => `${ORIGIN}/v1/explanations/${explained.id}`],
    ['an unknown id', () => `${ORIGIN}/e/AAAAAAAAAAAAAAAAAAAAAA`],
    ['a malformed id', () => `${ORIGIN}/e/nope`],
    ['not a URL', () => 'e/whatever'],
  ])('answers 404 for %s', async (_case, url) => {
    const response = await oembedFor(url());
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('answers 501 for a format other than JSON, and 400 without a url', async () => {
    const xml = await oembedFor(`${ORIGIN}/e/${explained.id}`, '&format=xml');
    expect(xml.status).toBe(501);
    expect((await oembedFor(`${ORIGIN}/e/${explained.id}`, '&format=')).status).toBe(400);
    expect((await oembedFor(`${ORIGIN}/e/${explained.id}`, '&format=yaml')).status).toBe(400);
    expect(await xml.json()).toMatchObject({ type: '/problems/not-implemented', status: 501, title: 'Not implemented' });
    for (const query of ['', '?maxwidth=300']) {
      const missing = await request(`/oembed${query}`);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ status: 400, title: 'Bad request' });
    }
    const badSize = await oembedFor(`${ORIGIN}/e/${explained.id}`, '&maxwidth=wide');
    expect(badSize.status).toBe(400);
  });
});
