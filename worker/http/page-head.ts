/**
 * The `<head>` tags that link previews read, rendered on the server for each explanation: chat and
 * social crawlers (Slackbot, Discordbot, Twitterbot, facebookexternalhit, LinkedInBot, Mastodon, Ghost,
 * Discourse) run no script, so the static page's generic head would be all they see. Every user agent
 * gets the same answer. Tags go right after `<meta charset>`, first in the head: Slack reads pages by
 * byte range and WordPress's oEmbed discovery reads only the first 150 KB.
 *
 * Open Graph: ogp.me (og:image's structured properties follow og:image); Twitter cards:
 * developer.x.com/cards/markup; oEmbed discovery: oembed.com §4. Strings are escaped by `hono/html`.
 */
import { html, raw } from 'hono/html';
import { CARD_HEIGHT, CARD_WIDTH } from '../render/card';
import { SITE_NAME, THEME_COLOR, type ExplanationSummary } from './explanation-summary';

const meta = (attribute: 'property' | 'name', key: string, value: string | number) => html`<meta ${raw(attribute)}="${key}" content="${value}">`;

/** The head of a page for one explanation. */
export function explanationHeadTags(summary: ExplanationSummary): string {
  const tags = [
    meta('property', 'og:type', 'website'),
    meta('property', 'og:site_name', SITE_NAME),
    meta('property', 'og:title', summary.title),
    meta('property', 'og:description', summary.description),
    meta('property', 'og:url', summary.pageUrl),
    meta('property', 'og:image', summary.cardUrl),
    meta('property', 'og:image:type', 'image/png'),
    meta('property', 'og:image:width', CARD_WIDTH),
    meta('property', 'og:image:height', CARD_HEIGHT),
    meta('property', 'og:image:alt', summary.imageAlt),
    meta('name', 'twitter:card', 'summary_large_image'),
    meta('name', 'twitter:image:alt', summary.imageAlt),
    // Slack shows two label/data pairs under the preview.
    meta('name', 'twitter:label1', 'Top class'),
    meta('name', 'twitter:data1', summary.topClass),
    meta('name', 'twitter:label2', 'Model'),
    meta('name', 'twitter:data2', summary.modelAndMethod),
    meta('name', 'description', summary.description),
    meta('name', 'theme-color', THEME_COLOR),
    html`<link rel="canonical" href="${summary.pageUrl}">`,
    html`<link rel="alternate" type="application/json+oembed" href="${summary.oembedUrl}" title="${summary.title}">`,
  ];
  return tags.join('\n  ');
}

export const NOT_FOUND_TITLE = 'Explanation not found';

/** The head of a page whose explanation does not exist (or expired): generic, and says so. */
export function genericHeadTags(): string {
  const description = 'This Grad-CAM explanation does not exist or has expired. Explain an image to get a new link.';
  return [
    meta('property', 'og:type', 'website'),
    meta('property', 'og:site_name', SITE_NAME),
    meta('property', 'og:title', NOT_FOUND_TITLE),
    meta('property', 'og:description', description),
    meta('name', 'twitter:card', 'summary'),
    meta('name', 'description', description),
    meta('name', 'theme-color', THEME_COLOR),
  ].join('\n  ');
}

/** The `Link` header (RFC 8288) that also announces the oEmbed endpoint (oembed.com §4). */
export function oembedLinkHeader(summary: ExplanationSummary): string {
  return `<${summary.oembedUrl}>; rel="alternate"; type="application/json+oembed"`;
}
