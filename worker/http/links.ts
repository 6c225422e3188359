/** The stable URLs of a stored explanation, absolute so they can be pasted anywhere. */
export interface ExplanationLinks {
  /** The explanation's JSON. */
  self: string;
  /** The stored preview of the image. */
  image: string;
  /** The map drawn over the preview, as a PNG (query: colormap, alpha, class). */
  overlay: string;
  /** The viewer's page for it. */
  page: string;
  /** A chrome-less page for <iframe> embedding. */
  embed: string;
}

export function explanationLinks(origin: string, id: string): ExplanationLinks {
  return {
    self: `${origin}/v1/explanations/${id}`,
    image: `${origin}/v1/explanations/${id}/image`,
    overlay: `${origin}/v1/explanations/${id}/overlay.png`,
    page: `${origin}/e/${id}`,
    embed: `${origin}/embed/${id}`,
  };
}

/** The 1200×630 card image for link previews (Open Graph, Twitter cards); see routes/card.ts. */
export function explanationCardUrl(origin: string, id: string): string {
  return `${origin}/v1/explanations/${id}/card.png`;
}

/** The oEmbed endpoint (oembed.com §2.2): only `url` and `format` in the query, as §4 asks of discovery links. */
export function oembedUrl(origin: string, pageUrl: string): string {
  return `${origin}/oembed?${new URLSearchParams({ url: pageUrl, format: 'json' })}`;
}

/** Where the build puts the `<gradcam-explanation>` web component's module (scripts/build-viewer.ts). */
export const WEB_COMPONENT_PATH = '/gradcam-explanation.js';
