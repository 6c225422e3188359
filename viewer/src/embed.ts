/**
 * The embed page (viewer/static/embed.html, served at /embed/{id}): one stored explanation drawn as its
 * query says (`class`, `colormap`, `alpha`, `view`, `scale`), with no controls, sized by its frame.
 * The server already put the overlay as an `<img>`, the label and the link in the HTML (it shows with
 * scripts blocked); this script draws the requested view on a canvas in its place and reports the
 * frame's height to the host page (embed-messages.ts).
 */
import { ApiError, getExplanation, getPreview } from './api';
import { decodeImageFile, paint, rgbPixels } from './canvas';
import { byId } from './dom';
import { openLinksThroughWordPress, reportHeight } from './embed-messages';
import { ExplanationView } from './explanation-view';
import { formatScore } from './format';
import { explanationIdFromPath, parseViewState, viewStateQuery } from './state';

const canvas = byId('canvas', HTMLCanvasElement);
const picture = byId('picture', HTMLImageElement);
const label = byId('label', HTMLElement);
const open = byId('open', HTMLAnchorElement);
const error = byId('error', HTMLElement);
const frame = byId('frame', HTMLElement);
const caption = byId('caption', HTMLElement);

/** Height ÷ width of what is shown: the server's image until the canvas is drawn. */
function aspect(): number | undefined {
  if (!canvas.hidden && canvas.width > 0) return canvas.height / canvas.width;
  const width = Number(picture.getAttribute('width'));
  const height = Number(picture.getAttribute('height'));
  return width > 0 && height > 0 ? height / width : undefined;
}

async function start(): Promise<void> {
  const id = explanationIdFromPath(location.pathname);
  if (!id) throw new ApiError('No explanation', 'This page shows a stored explanation: /embed/{id}.');
  reportHeight(id, aspect);
  openLinksThroughWordPress(open);
  const state = parseViewState(location.search);
  const [explanation, preview] = await Promise.all([getExplanation(id), getPreview(id)]);
  const bitmap = await decodeImageFile(preview);
  const view = new ExplanationView(explanation, rgbPixels(bitmap));
  const target = view.target(state.classIndex);
  paint(canvas, view.image.width, view.image.height, view.render(state, view.image, target));
  canvas.setAttribute('aria-label', `Grad-CAM heat map for “${target.label}” (${formatScore(target.score)}) over the explained image`);
  canvas.hidden = false;
  picture.hidden = true;
  label.textContent = `${target.label} · ${formatScore(target.score)}`;
  open.href = `${explanation.links?.page ?? `/e/${id}`}?${viewStateQuery({ ...state, classIndex: target.index })}`;
}

start()
  .catch((reason: unknown) => {
    const problem = reason instanceof ApiError ? reason : new ApiError('The explanation could not be shown', String(reason));
    error.textContent = problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
    error.hidden = false;
    caption.hidden = true;
    picture.hidden = true;
  })
  .finally(() => {
    frame.removeAttribute('aria-busy');
    frame.dataset.drawn = 'true';
  });
