/**
 * What a link preview says about one stored explanation: the same title, description, image and URLs for
 * the page head (Open Graph, Twitter cards), the oEmbed answer and the card image, so every consumer
 * shows the same words. Plain text here; each consumer escapes it for where it lands.
 *
 * Limits from the consumers (shared/reference: sharing-and-embedding §1): Discord trims titles at 70
 * bytes and descriptions at 350, X at 70 and 200 characters, X's image alt at 420.
 */
import type { StoredExplanation } from '../cache/explanation-store';
import { fitWithin, PREVIEW_MAX_SIDE } from '../image';
import { explanationCardUrl, explanationLinks, oembedUrl } from './links';

/** The service's name, as the OpenAPI document's title (http/app.ts). */
export const SITE_NAME = 'Grad-CAM at the edge';
export const TITLE_MAX_BYTES = 70;
export const DESCRIPTION_MAX_CHARS = 200;
export const IMAGE_ALT_MAX_CHARS = 420;
/** The viewer's accent colour (viewer/static/theme.css), as Discord's `theme-color` wants it: #RRGGBB. */
export const THEME_COLOR = '#4f46e5';

export interface ExplanationSummary {
  title: string;
  description: string;
  imageAlt: string;
  /** The top explained class: "star · 99.9 %". */
  topClass: string;
  /** "compact-efficientnet · grad-cam". */
  modelAndMethod: string;
  pageUrl: string;
  embedUrl: string;
  cardUrl: string;
  overlayUrl: string;
  oembedUrl: string;
  /** The preview's size: the overlay's, and the aspect ratio of embeds. */
  previewWidth: number;
  previewHeight: number;
}

/** A score (0…1) as a percentage with one decimal. */
export function formatPercent(score: number): string {
  return `${(score * 100).toFixed(1)} %`;
}

/** `text` cut to at most `maxBytes` of UTF-8 (never inside a character), with an ellipsis when cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const chars = [...text];
  while (chars.length > 0 && encoder.encode(`${chars.join('')}…`).length > maxBytes) chars.pop();
  return `${chars.join('')}…`;
}

function truncateChars(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

export function summarizeExplanation(explanation: StoredExplanation, origin: string): ExplanationSummary {
  const links = explanationLinks(origin, explanation.id);
  const top = explanation.explanations[0] ?? explanation.predictions[0];
  const modelAndMethod = `${explanation.model.id} · ${explanation.method}`;
  const topClass = top ? `${top.label} · ${formatPercent(top.score)}` : 'no class';
  const others = explanation.predictions
    .slice(0, 3)
    .map((p) => `${p.label} ${formatPercent(p.score)}`)
    .join(', ');
  const preview = fitWithin(explanation.image.width, explanation.image.height, PREVIEW_MAX_SIDE);
  return {
    title: truncateBytes(top ? `${top.label} — ${formatPercent(top.score)} · Grad-CAM` : 'Grad-CAM explanation', TITLE_MAX_BYTES),
    description: truncateChars(`Top classes: ${others}. Model ${explanation.model.id}, method ${explanation.method}.`, DESCRIPTION_MAX_CHARS),
    imageAlt: truncateChars(`Grad-CAM heat map over the image for class “${top?.label ?? ''}” (${modelAndMethod})`, IMAGE_ALT_MAX_CHARS),
    topClass,
    modelAndMethod,
    pageUrl: links.page,
    embedUrl: links.embed,
    cardUrl: explanationCardUrl(origin, explanation.id),
    overlayUrl: links.overlay,
    oembedUrl: oembedUrl(origin, links.page),
    previewWidth: preview.width,
    previewHeight: preview.height,
  };
}
