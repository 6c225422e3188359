/**
 * The embed page (viewer/static/embed.html, served at /embed/{id}): one stored explanation drawn as its
 * query says (`class`, `colormap`, `alpha`, `view`, `scale`), with no controls, sized by its frame.
 */
import { ApiError, getExplanation, getPreview } from './api';
import { decodeImageFile, paint, rgbPixels } from './canvas';
import { byId } from './dom';
import { ExplanationView } from './explanation-view';
import { formatScore } from './format';
import { explanationIdFromPath, parseViewState, viewStateQuery } from './state';

const canvas = byId('canvas', HTMLCanvasElement);
const label = byId('label', HTMLElement);
const open = byId('open', HTMLAnchorElement);
const error = byId('error', HTMLElement);
const frame = byId('frame', HTMLElement);
const caption = byId('caption', HTMLElement);

async function start(): Promise<void> {
  const id = explanationIdFromPath(location.pathname);
  if (!id) throw new ApiError('No explanation', 'This page shows a stored explanation: /embed/{id}.');
  const state = parseViewState(location.search);
  const [explanation, preview] = await Promise.all([getExplanation(id), getPreview(id)]);
  const bitmap = await decodeImageFile(preview);
  const view = new ExplanationView(explanation, rgbPixels(bitmap));
  const target = view.target(state.classIndex);
  paint(canvas, view.image.width, view.image.height, view.render(state, view.image, target));
  canvas.setAttribute('aria-label', `Grad-CAM heat map for “${target.label}” (${formatScore(target.score)}) over the explained image`);
  label.textContent = `${target.label} · ${formatScore(target.score)}`;
  open.href = `${explanation.links?.page ?? `/e/${id}`}?${viewStateQuery({ ...state, classIndex: target.index })}`;
}

start()
  .catch((reason: unknown) => {
    const problem = reason instanceof ApiError ? reason : new ApiError('The explanation could not be shown', String(reason));
    error.textContent = problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
    error.hidden = false;
    caption.hidden = true;
  })
  .finally(() => frame.removeAttribute('aria-busy'));
