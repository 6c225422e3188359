/**
 * Copyable snippets for putting an explanation in docs: an `<iframe>` of the embed page, the
 * `<gradcam-explanation>` web component (with a linked image as its fallback), and a Markdown image of
 * the server-rendered overlay.png linked to the page (GitHub strips iframes and scripts, not images).
 * Labels come from model files, so they are escaped for the context they land in (an HTML attribute,
 * Markdown alt text).
 *
 * Example: `iframeSnippet({ embedUrl, title: 'Grad-CAM: tabby cat', width: 512, height: 384 })`.
 */

export interface IframeSnippetOptions {
  /** The embed page URL, with the view state in its query. */
  embedUrl: string;
  title: string;
  /** The image's size: the frame keeps its aspect ratio at any width. */
  width: number;
  height: number;
}

export function escapeHtmlAttribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Alt text for Markdown: brackets and backslashes escaped, line breaks flattened (CommonMark §6.4). */
export function escapeMarkdownText(text: string): string {
  return text.replace(/[\\[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

export function iframeSnippet({ embedUrl, title, width, height }: IframeSnippetOptions): string {
  const ratio = `${Math.round(width)} / ${Math.round(height)}`;
  return (
    `<iframe src="${escapeHtmlAttribute(embedUrl)}" title="${escapeHtmlAttribute(title)}" ` +
    `style="width: 100%; max-width: ${Math.round(width)}px; aspect-ratio: ${ratio}; border: 0" loading="lazy"></iframe>`
  );
}

/** A URL for a Markdown link destination: a space or parenthesis in it is encoded. */
function markdownUrl(url: string): string {
  return url.replace(/[ ()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `overlayUrl` carries its query (`colormap`, `alpha`, `class`); with `pageUrl`, the image links to the
 * explanation's page.
 */
export function markdownImageSnippet(overlayUrl: string, alt: string, pageUrl?: string): string {
  const image = `![${escapeMarkdownText(alt)}](${markdownUrl(overlayUrl)})`;
  return pageUrl ? `[${image}](${markdownUrl(pageUrl)})` : image;
}

export interface WebComponentSnippetOptions {
  /** The module script defining the element (`/gradcam-explanation.js` of the service). */
  scriptUrl: string;
  id: string;
  /** Attributes of the element (`class-index`, `colormap`, `opacity`, `view`, …). */
  attributes: Record<string, string>;
  /** The fallback shown until the script runs, or when it cannot: the overlay, linked to the page. */
  pageUrl: string;
  overlayUrl: string;
  alt: string;
}

export function webComponentSnippet({ scriptUrl, id, attributes, pageUrl, overlayUrl, alt }: WebComponentSnippetOptions): string {
  const attrs = Object.entries({ explanation: id, ...attributes })
    .map(([name, value]) => ` ${name}="${escapeHtmlAttribute(value)}"`)
    .join('');
  return (
    `<script type="module" src="${escapeHtmlAttribute(scriptUrl)}"></script>\n` +
    `<gradcam-explanation${attrs}>\n` +
    `  <a href="${escapeHtmlAttribute(pageUrl)}"><img src="${escapeHtmlAttribute(overlayUrl)}" alt="${escapeHtmlAttribute(alt)}" loading="lazy"></a>\n` +
    `</gradcam-explanation>`
  );
}
