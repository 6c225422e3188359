/**
 * /e/{id} and /embed/{id} as link-preview crawlers and script-less frames see them: the real app in
 * workerd, real KV and a real explanation; only the asset server is a stand-in (support/static-pages.ts).
 */
import { env } from 'cloudflare:workers';
import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../../worker/env';
import { createApp } from '../../../../worker/http/app';
import { EXPLANATION_PAGE_CACHE_CONTROL } from '../../../../worker/http/routes/explanation-pages';
import { EMBED_CSP, VIEWER_CSP } from '../../../../worker/http/routes/pages';
import { decodeEntities, metaValue, parsePage } from '../../../support/html-head';
import { explainFixture, plantRelabelled, type ExplainedBody } from '../../../support/explanations';
import { staticPages } from '../../../support/static-pages';

const ORIGIN = 'https://gradcam.example';
const app = createApp();
const request = (path: string, headers: Record<string, string> = {}) =>
  app.request(`${ORIGIN}${path}`, { headers }, { ...(env as unknown as Env), ASSETS: staticPages });

/** User agents of the crawlers that unfurl links (shared/reference: sharing-and-embedding §1), and a browser. */
const USER_AGENTS = {
  browser: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
  slack: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  discord: 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  twitter: 'Twitterbot/1.0',
  facebook: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  linkedin: 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  mastodon: 'http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.social/)',
  ghost: 'Mozilla/5.0 (compatible; Ghost/5.0; +https://ghost.org/)',
  discourse: 'Discourse Forum Onebox v3.4.0',
};

const HOSTILE_LABEL = `<b>"Tom" & 'Jerry'</b>`;
const HOSTILE_ID = 'H0st1le-Label_0000000A';
const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
let explained: ExplainedBody;

beforeAll(async () => {
  explained = await explainFixture('chelsea.png');
  await plantRelabelled(explained, HOSTILE_ID, HOSTILE_LABEL);
});

describe.each(['e', 'embed'] as const)('/%s/{id}', (page) => {
  it('gives every crawler and a browser the same head, with the top class, score, model and card', async () => {
    const heads = new Map<string, [string, string][]>();
    for (const [name, userAgent] of Object.entries(USER_AGENTS)) {
      const response = await request(`/${page}/${explained.id}`, { 'user-agent': userAgent, 'accept-encoding': 'gzip' });
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      heads.set(name, (await parsePage(response)).meta);
    }
    for (const [name, meta] of heads) expect(meta, name).toEqual(heads.get('browser'));

    const parsed = await parsePage(await request(`/${page}/${explained.id}`, { 'user-agent': USER_AGENTS.slack }));
    const top = explained.explanations[0];
    const percent = `${(top.score * 100).toFixed(1)} %`;
    expect(metaValue(parsed, 'og:type')).toBe('website');
    expect(metaValue(parsed, 'og:site_name')).toBe('Grad-CAM at the edge');
    expect(metaValue(parsed, 'og:title')).toBe(`${top.label} — ${percent} · Grad-CAM`);
    expect(metaValue(parsed, 'og:description')).toContain(`model ${explained.model.id}, method grad-cam`.replace('model', 'Model'));
    expect(metaValue(parsed, 'og:url')).toBe(`${ORIGIN}/e/${explained.id}`);
    expect(metaValue(parsed, 'og:image')).toBe(`${ORIGIN}/v1/explanations/${explained.id}/card.png`);
    expect(metaValue(parsed, 'og:image:type')).toBe('image/png');
    expect(metaValue(parsed, 'og:image:alt')).toContain(top.label);
    expect(metaValue(parsed, 'twitter:card')).toBe('summary_large_image');
    expect(metaValue(parsed, 'twitter:data1')).toBe(`${top.label} · ${percent}`);
    expect(metaValue(parsed, 'theme-color')).toMatch(/^#[0-9a-f]{6}$/i);
    // Discord and X trim titles at 70 bytes; X descriptions at 200 characters.
    expect(new TextEncoder().encode(metaValue(parsed, 'og:title')).length).toBeLessThanOrEqual(70);
    expect(metaValue(parsed, 'og:description').length).toBeLessThanOrEqual(200);
    // Discord shows no preview at all past these: site name 256 characters, alt text 4096, any URL 2048.
    expect(metaValue(parsed, 'og:site_name').length).toBeLessThanOrEqual(256);
    expect(metaValue(parsed, 'og:image:alt').length).toBeLessThanOrEqual(420);
    for (const key of ['og:url', 'og:image']) expect(metaValue(parsed, key).length).toBeLessThanOrEqual(2048);
    expect(parsed.title).toContain(top.label);
    expect(parsed.links).toContainEqual({ rel: 'canonical', href: `${ORIGIN}/e/${explained.id}` });
    // og:image's structured properties follow it (ogp.me), and the tags come before the styles and scripts.
    const keys = parsed.meta.map(([k]) => k);
    expect(keys.slice(keys.indexOf('og:image'), keys.indexOf('og:image') + 5)).toEqual(['og:image', 'og:image:type', 'og:image:width', 'og:image:height', 'og:image:alt']);
    expect(parsed.html.indexOf('og:title')).toBeLessThan(parsed.html.indexOf('rel="stylesheet"'));
    expect(parsed.html.indexOf('og:title')).toBeLessThan(2048);
  });

  it("declares og:image's size as the card PNG's own", async () => {
    const parsed = await parsePage(await request(`/${page}/${explained.id}`));
    const card = await request(new URL(metaValue(parsed, 'og:image')).pathname);
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toBe('image/png');
    const png = decode(new Uint8Array(await card.arrayBuffer()));
    expect([png.width, png.height]).toEqual([Number(metaValue(parsed, 'og:image:width')), Number(metaValue(parsed, 'og:image:height'))]);
  });

  it('is cacheable, announces its oEmbed endpoint in a Link header, and keeps its framing policy', async () => {
    const response = await request(`/${page}/${explained.id}`);
    expect(response.headers.get('cache-control')).toBe(EXPLANATION_PAGE_CACHE_CONTROL);
    const oembed = `${ORIGIN}/oembed?url=${encodeURIComponent(`${ORIGIN}/e/${explained.id}`)}&format=json`;
    expect(response.headers.get('link')).toBe(`<${oembed}>; rel="alternate"; type="application/json+oembed"`);
    if (page === 'e') {
      expect(response.headers.get('content-security-policy')).toBe(VIEWER_CSP);
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    } else {
      expect(response.headers.get('content-security-policy')).toBe(EMBED_CSP);
      expect(response.headers.get('x-frame-options')).toBeNull();
      expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it.each(Object.entries(USER_AGENTS))('escapes every string from the explanation (%s)', async (_name, userAgent) => {
    const parsed = await parsePage(await request(`/${page}/${HOSTILE_ID}?class=${explained.explanations[0].index}&colormap="><x>`, { 'user-agent': userAgent }));
    expect(parsed.html).not.toContain(HOSTILE_LABEL);
    expect(parsed.html).not.toContain('"><x>');
    expect(parsed.html, parsed.html.slice(Math.max(0, parsed.html.indexOf('<b>') - 200), parsed.html.indexOf('<b>') + 100)).not.toContain('<b>');
    expect(decodeEntities(metaValue(parsed, 'og:title'))).toContain(HOSTILE_LABEL);
    expect(decodeEntities(metaValue(parsed, 'twitter:data1'))).toContain(HOSTILE_LABEL);
    expect(decodeEntities(parsed.title)).toContain(HOSTILE_LABEL);
    if (page === 'embed') expect(decodeEntities(parsed.text.label)).toContain(HOSTILE_LABEL);
  });

  it.each([UNKNOWN_ID, 'not-an-id'])('answers 404 with a generic head for an unknown id (%s)', async (id) => {
    for (const userAgent of [USER_AGENTS.browser, USER_AGENTS.twitter]) {
      const response = await request(`/${page}/${id}`, { 'user-agent': userAgent });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('link')).toBeNull();
      const parsed = await parsePage(response);
      expect(metaValue(parsed, 'og:title')).toBe('Explanation not found');
      expect(metaValue(parsed, 'og:site_name')).toBe('Grad-CAM at the edge');
      expect(parsed.meta.map(([k]) => k)).not.toContain('og:image');
      expect(parsed.title).toContain('Explanation not found');
    }
  });
});

describe('/embed/{id} content without scripts', () => {
  it('renders the overlay as an image, the label and score, and a link to the viewer', async () => {
    const target = explained.explanations[1];
    const parsed = await parsePage(await request(`/embed/${explained.id}?class=${target.index}&colormap=viridis&alpha=0.7`));
    expect(parsed.attributes.frame['aria-busy']).toBeUndefined();
    const picture = parsed.attributes.picture;
    expect(picture.hidden).toBeUndefined();
    expect(decodeEntities(picture.src)).toBe(`${ORIGIN}/v1/explanations/${explained.id}/overlay.png?class=${target.index}&colormap=viridis&alpha=0.7`);
    expect(decodeEntities(picture.alt)).toContain(target.label);
    expect(parsed.text.label).toBe(`${target.label} · ${(target.score * 100).toFixed(1)} %`);
    expect(decodeEntities(parsed.attributes.open.href)).toBe(`${ORIGIN}/e/${explained.id}?class=${target.index}&colormap=viridis&alpha=0.7`);
    const overlay = await request(new URL(decodeEntities(picture.src)).pathname + new URL(decodeEntities(picture.src)).search);
    expect(overlay.status).toBe(200);
    const png = decode(new Uint8Array(await overlay.arrayBuffer()));
    expect([png.width, png.height]).toEqual([Number(picture.width), Number(picture.height)]);
  });

  it('says the explanation is unknown, in the HTML, when it is', async () => {
    const parsed = await parsePage(await request(`/embed/${UNKNOWN_ID}`));
    expect(parsed.attributes.error.hidden).toBeUndefined();
    expect(parsed.text.error).toBe(`Not found: no explanation with id ${UNKNOWN_ID} (it may have expired)`);
    expect(parsed.attributes.caption.hidden).toBe('');
  });
});
