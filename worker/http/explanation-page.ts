/**
 * Turns the static viewer or embed page (viewer/dist) into the page of one explanation, with workerd's
 * streaming `HTMLRewriter`: the head gets the link-preview tags (page-head.ts) and a real `<title>`; the
 * embed page also gets its content (the overlay as a plain `<img>`, the label and score, the link to
 * the viewer), so it shows in a frame that runs no script at all (`sandbox=""`), and its script only
 * enhances it. An unknown id gets the generic head, and the embed page its error message.
 */
import { html } from 'hono/html';
import type { StoredExplanation } from '../cache/explanation-store';
import { isColormapName } from '../render/colormap';
import { formatPercent, SITE_NAME, type ExplanationSummary } from './explanation-summary';
import { explanationHeadTags, genericHeadTags, NOT_FOUND_TITLE } from './page-head';
import { PROBLEMS } from './problem';
import { unknownExplanationDetail } from './stored-explanation';

export type PageKind = 'viewer' | 'embed';

export interface FoundExplanation {
  explanation: StoredExplanation;
  summary: ExplanationSummary;
  /** The page's query (the view state: `class`, `colormap`, `alpha`, …), "" or starting with "?". */
  search: string;
}

/** overlay.png's query for the state in the page's query, keeping only values the route accepts. */
function overlayQuery(explanation: StoredExplanation, search: string): { query: string; classIndex: number } {
  const params = new URLSearchParams(search);
  const requested = Number(params.get('class') ?? NaN);
  const target = explanation.explanations.find((e) => e.index === requested) ?? explanation.explanations[0];
  const query = new URLSearchParams({ class: String(target.index) });
  const colormap = params.get('colormap');
  if (colormap && isColormapName(colormap)) query.set('colormap', colormap);
  const alpha = Number(params.get('alpha') ?? NaN);
  if (params.get('alpha') && Number.isFinite(alpha)) query.set('alpha', String(Math.min(1, Math.max(0, alpha))));
  return { query: query.toString(), classIndex: target.index };
}

/** lol-html's setAttribute escapes only `"`; escape the rest too (hono/html), so no markup ever reaches the page. */
const escapeAttribute = (value: string) => String(html`${value}`);

function embedContent(rewriter: HTMLRewriter, found: FoundExplanation): HTMLRewriter {
  const { explanation, summary, search } = found;
  const { query, classIndex } = overlayQuery(explanation, search);
  const target = explanation.explanations.find((e) => e.index === classIndex)!;
  return rewriter
    .on('#frame', { element: (e) => void e.removeAttribute('aria-busy').setAttribute('data-explanation', explanation.id) })
    .on('#picture', {
      element: (e) =>
        void e
          .setAttribute('src', escapeAttribute(`${summary.overlayUrl}?${query}`))
          .setAttribute('alt', escapeAttribute(`Grad-CAM heat map for “${target.label}” (${formatPercent(target.score)}) over the explained image`))
          .setAttribute('width', String(summary.previewWidth))
          .setAttribute('height', String(summary.previewHeight))
          .removeAttribute('hidden'),
    })
    .on('#label', { element: (e) => void e.setInnerContent(`${target.label} · ${formatPercent(target.score)}`) })
    .on('#open', { element: (e) => void e.setAttribute('href', escapeAttribute(`${summary.pageUrl}${search}`)) });
}

/** The same words as the embed's script shows for the API's 404 (title: detail). */
function embedNotFound(rewriter: HTMLRewriter, id: string): HTMLRewriter {
  return rewriter
    .on('#frame', { element: (e) => void e.removeAttribute('aria-busy') })
    .on('#caption', { element: (e) => void e.setAttribute('hidden', '') })
    .on('#error', { element: (e) => void e.setInnerContent(`${PROBLEMS.notFound.title}: ${unknownExplanationDetail(id)}`).removeAttribute('hidden') });
}

/** The page `asset` rendered for `found` (undefined: the id is unknown). Text is escaped by HTMLRewriter. */
export function renderExplanationPage(asset: Response, kind: PageKind, id: string, found: FoundExplanation | undefined): Response {
  const tags = found ? explanationHeadTags(found.summary) : genericHeadTags();
  const title = found ? `${found.summary.title} — ${SITE_NAME}` : `${NOT_FOUND_TITLE} — ${SITE_NAME}`;
  let rewriter = new HTMLRewriter()
    .on('head > meta[charset]', { element: (e) => void e.after(`\n  ${tags}`, { html: true }) })
    .on('head > title', { element: (e) => void e.setInnerContent(title) });
  if (kind === 'embed') rewriter = found ? embedContent(rewriter, found) : embedNotFound(rewriter, id);
  return rewriter.transform(asset);
}
