/**
 * Copyable snippets for putting an explanation in docs: an `<iframe>` of the embed page and a Markdown
 * image of the server-rendered overlay.png. Labels come from model files, so they are escaped for the
 * context they land in (an HTML attribute, Markdown alt text).
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

/** `overlayUrl` carries its query (`colormap`, `alpha`, `class`); a space or parenthesis in it is encoded. */
export function markdownImageSnippet(overlayUrl: string, alt: string): string {
  const url = overlayUrl.replace(/[ ()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `![${escapeMarkdownText(alt)}](${url})`;
}
