/**
 * The viewer page (viewer/static/index.html): explain an image (file, drop, paste or a sample scene),
 * look at it in four views, compare classes, and share or embed it. `/e/{id}` opens a stored explanation
 * without recomputing it; the view state lives in the query so a link reproduces what its sender saw.
 *
 * Private mode ("compute on this device", private-mode.ts) explains in this browser instead: the image is
 * never sent, and a result reaches the service only through its explicit "share" button. The query
 * `compute=device` opens the page in private mode; `threads=off` keeps TF.js to its SIMD build.
 */
import { DEFAULT_METHOD, METHOD_LABELS, METHOD_NAMES, type MethodName } from '../../worker/explain/methods/method-names';
import { WEB_COMPONENT_PATH } from '../../worker/http/links';
import { COLORMAP_NAMES } from '../../worker/render/colormap';
import type { ClassExplanationDocument, Prediction } from '../../worker/service/explanation-document';
import { ApiError, explain, getExplanation, getPreview, listModels, type Explanation, type ModelList } from './api';
import { canvasPng, decodeImageFile, download, paint, paintLegend, rgbPixels } from './canvas';
import { byId, el } from './dom';
import { ExplanationView } from './explanation-view';
import { formatScore, formatValue } from './format';
import { renderGallery, renderPhotoGallery, SCENES_MODEL_ID } from './gallery';
import { describeBackend, PrivateMode, threadsAllowed, type DeviceExplanation } from './private-mode';
import { iframeSnippet, markdownImageSnippet, webComponentSnippet } from './snippets';
import { explanationIdFromPath, parseViewState, viewStateQuery, SCALE_NAMES, VIEW_NAMES, type ViewName, type ViewState } from './state';

const VIEW_TITLES: Record<ViewName, string> = {
  image: 'The image',
  map: 'The heat map alone',
  overlay: 'The heat map over the image',
  masked: 'The image masked by the heat map',
};
/** Longest side of the compare grid's thumbnails. */
const THUMBNAIL_SIDE = 360;
const TOPK_DEFAULT = 3;

const ui = {
  file: byId('file', HTMLInputElement),
  dropzone: byId('dropzone', HTMLElement),
  model: byId('model', HTMLSelectElement),
  topk: byId('topk', HTMLInputElement),
  method: byId('method', HTMLSelectElement),
  status: byId('status', HTMLElement),
  progress: byId('progress', HTMLProgressElement),
  statusText: byId('status-text', HTMLElement),
  error: byId('error', HTMLElement),
  errorTitle: byId('error-title', HTMLElement),
  errorDetail: byId('error-detail', HTMLElement),
  gallery: byId('gallery', HTMLElement),
  photos: byId('photos', HTMLElement),
  workspace: byId('workspace', HTMLElement),
  empty: byId('empty', HTMLElement),
  emptyTitle: byId('empty-title', HTMLElement),
  result: byId('result', HTMLElement),
  canvas: byId('canvas', HTMLCanvasElement),
  caption: byId('caption', HTMLElement),
  details: byId('details', HTMLElement),
  download: byId('download', HTMLButtonElement),
  downloadJson: byId('download-json', HTMLButtonElement),
  colormap: byId('colormap', HTMLSelectElement),
  alpha: byId('alpha', HTMLInputElement),
  alphaValue: byId('alpha-value', HTMLOutputElement),
  legend: byId('legend', HTMLCanvasElement),
  legendMin: byId('legend-min', HTMLElement),
  legendMax: byId('legend-max', HTMLElement),
  legendNote: byId('legend-note', HTMLElement),
  predictions: byId('predictions', HTMLOListElement),
  compare: byId('compare', HTMLElement),
  share: byId('share', HTMLElement),
  shareUnavailable: byId('share-unavailable', HTMLElement),
  shareLink: byId('share-link', HTMLInputElement),
  iframeSnippet: byId('iframe-snippet', HTMLTextAreaElement),
  markdownSnippet: byId('markdown-snippet', HTMLTextAreaElement),
  componentSnippet: byId('component-snippet', HTMLTextAreaElement),
  private: byId('private', HTMLInputElement),
  privateBackend: byId('private-backend', HTMLElement),
  deviceNote: byId('device-note', HTMLElement),
  shareDevice: byId('share-device', HTMLElement),
  shareUpload: byId('share-upload', HTMLButtonElement),
};

interface Shown {
  view: ExplanationView;
  /** How a private result was computed (absent for the service's). */
  computed?: DeviceExplanation;
  /** The image scaled down for the compare grid. */
  thumbnail: ReturnType<typeof rgbPixels>;
  compareCanvases: Map<number, HTMLCanvasElement>;
}

let models: ModelList | undefined;
let shown: Shown | undefined;
let state: ViewState = parseViewState(location.search);
/** The last upload and what it was asked with: changing the model or the number of classes explains it again. */
let lastUpload: { file: File; model: string; topk: number; method: MethodName; onDevice: boolean } | undefined;
/** Only the newest request may update the page. */
let requestSerial = 0;
/** Private mode's worker, started the first time it is used. */
let device: PrivateMode | undefined;
const startQuery = new URLSearchParams(location.search);
/** `threads=off`: TF.js's SIMD build alone, to compare with the threaded one. */
const deviceThreads = startQuery.get('threads') !== 'off';

// ---- status and errors ----------------------------------------------------------------------------

function showProgress(text: string, fraction?: number): void {
  ui.error.hidden = true;
  ui.status.hidden = false;
  ui.statusText.textContent = text;
  if (fraction === undefined) ui.progress.removeAttribute('value');
  else ui.progress.value = fraction;
  ui.workspace.setAttribute('aria-busy', 'true');
  ui.emptyTitle.textContent = text;
}

function hideProgress(): void {
  ui.status.hidden = true;
  ui.workspace.removeAttribute('aria-busy');
  ui.emptyTitle.textContent = 'No explanation yet';
}

function showError(error: unknown): void {
  hideProgress();
  const problem =
    error instanceof ApiError
      ? error
      : new ApiError('Something went wrong in the page', error instanceof Error ? error.message : String(error));
  ui.errorTitle.textContent = problem.title;
  ui.errorDetail.textContent = problem.detail;
  ui.error.hidden = false;
}

// ---- models ---------------------------------------------------------------------------------------

function modelName(id: string): string {
  const model = models?.models.find((m) => m.id === id);
  return model?.name ?? id;
}

async function loadModels(): Promise<void> {
  try {
    models = await listModels();
  } catch (error) {
    showError(error);
    return;
  }
  ui.model.replaceChildren(
    ...models.models.map((m) => el('option', { value: m.id, textContent: m.name ?? m.id, title: `${m.labels.length} classes` })),
  );
  const wanted = shown?.view.explanation.model.id ?? models.default;
  const preferred = models.models.find((m) => m.id === wanted) ?? models.models.find((m) => m.id === models!.default) ?? models.models[0];
  if (preferred) ui.model.value = preferred.id;
  ui.model.disabled = models.models.length === 0;
  if (models.models.length === 0) showError(new ApiError('No models', 'The service has no model to explain with yet.'));
}

/** The model sample scenes go to: the scenes model (the only one that learned them) when it is installed. */
function sceneModel(): string {
  return models?.models.some((m) => m.id === SCENES_MODEL_ID) ? SCENES_MODEL_ID : ui.model.value;
}

/** The model sample photos go to: the picker's, unless it shows the scenes model (then the default). */
function photoModel(): string {
  return ui.model.value === SCENES_MODEL_ID && models?.models.some((m) => m.id === models!.default) ? models.default : ui.model.value;
}

// ---- explaining -----------------------------------------------------------------------------------

/** The picked method; the default where the picker holds something else. */
function method(): MethodName {
  return (METHOD_NAMES as readonly string[]).includes(ui.method.value) ? (ui.method.value as MethodName) : DEFAULT_METHOD;
}

function topk(): number {
  const value = Math.round(Number(ui.topk.value));
  return Number.isFinite(value) ? Math.min(10, Math.max(1, value)) : TOPK_DEFAULT;
}

/** `sameImage`: the last upload again with other options, so the selected class stays if it is still explained. */
async function explainFile(file: File, model = ui.model.value, sameImage = false): Promise<void> {
  if (!model) {
    showError(new ApiError('No model selected', 'Wait for the model list to load, or reload the page.'));
    return;
  }
  lastUpload = { file, model, topk: topk(), method: method(), onDevice: ui.private.checked };
  ui.model.value = model;
  if (ui.private.checked) return explainOnDevice(file, model, sameImage);
  const serial = ++requestSerial;
  showProgress(`Uploading ${file.name || 'the image'}…`, 0);
  try {
    const decoded = decodeImageFile(file).catch(() => undefined);
    const explanation = await explain(file, { model, topk: lastUpload.topk, method: lastUpload.method }, (progress) => {
      if (serial !== requestSerial) return;
      if (progress.phase === 'uploading') showProgress(`Uploading ${file.name || 'the image'}…`, progress.fraction);
      else showProgress(`Computing the explanation with ${modelName(model)}…`);
    });
    const bitmap = await decoded;
    if (serial !== requestSerial) return;
    if (!bitmap) throw new ApiError('This browser cannot show the image', 'The service read it, but the browser cannot decode it to draw the map.');
    if (!sameImage) state = { ...state, classIndex: undefined };
    show(explanation, bitmap);
    // The address names what is shown: its page when stored, the bare viewer when not.
    if (explanation.id) history.pushState(null, '', pagePath(explanation.id));
    else if (location.pathname !== '/') history.pushState(null, '', '/');
  } catch (error) {
    if (serial === requestSerial) showError(error);
  }
}

/** Private mode: the same explanation, computed in this browser; nothing about the image is sent. */
async function explainOnDevice(file: File, model: string, sameImage: boolean): Promise<void> {
  const serial = ++requestSerial;
  showProgress(`Preparing ${modelName(model)} on this device…`);
  device ??= new PrivateMode({ threads: deviceThreads });
  try {
    const decoded = decodeImageFile(file).catch(() => undefined);
    const result = await device.explain(file, model, lastUpload?.topk ?? topk(), lastUpload?.method ?? method(), (text, fraction) => {
      if (serial === requestSerial) showProgress(text, fraction);
    });
    const bitmap = await decoded;
    if (serial !== requestSerial) return;
    if (!bitmap) throw new ApiError('This browser cannot show the image', 'It was explained, but the browser cannot decode it to draw the map.');
    if (!sameImage) state = { ...state, classIndex: undefined };
    show({ ...result.document, storage: 'off' as const }, bitmap, result);
    if (location.pathname !== '/') history.pushState(null, '', '/');
  } catch (error) {
    if (serial === requestSerial) showError(error);
  }
}

/** The explicit share of a private result: uploads it and a preview, then shows its links. */
async function shareDeviceResult(): Promise<void> {
  const explanation = shown?.view.explanation;
  if (!explanation || !device || explanation.links) return;
  const { computedOn, image, model, method, layer, predictions, explanations } = explanation;
  ui.shareUpload.disabled = true;
  showProgress('Uploading the result and a preview…');
  try {
    const shared = await device.share({ computedOn, image, model, method, layer, predictions, explanations });
    hideProgress();
    Object.assign(explanation, { id: shared.id, links: shared.links, storage: 'stored' as const });
    showDeviceNote();
    history.pushState(null, '', pagePath(shared.id));
    render(false);
  } catch (error) {
    showError(error);
  } finally {
    ui.shareUpload.disabled = false;
  }
}

function setPrivateMode(on: boolean): void {
  ui.private.checked = on;
  ui.private.closest('.private')?.classList.toggle('on', on);
  ui.privateBackend.textContent = on && !threadsAllowed() ? 'This page is not cross-origin isolated, so TF.js runs without threads.' : '';
}

async function openStored(id: string): Promise<void> {
  const serial = ++requestSerial;
  lastUpload = undefined;
  showProgress('Loading the shared explanation…');
  try {
    const [explanation, preview] = await Promise.all([getExplanation(id), getPreview(id)]);
    const bitmap = await decodeImageFile(preview);
    if (serial !== requestSerial) return;
    show(explanation, bitmap);
  } catch (error) {
    if (serial === requestSerial) showError(error);
  }
}

function pagePath(id: string): string {
  return `/e/${id}?${viewStateQuery(state)}`;
}

// ---- showing --------------------------------------------------------------------------------------

function show(explanation: Explanation, bitmap: ImageBitmap, computed?: DeviceExplanation): void {
  hideProgress();
  ui.error.hidden = true;
  const view = new ExplanationView(explanation, rgbPixels(bitmap));
  shown = { view, computed, thumbnail: rgbPixels(bitmap, THUMBNAIL_SIDE), compareCanvases: new Map() };
  showDeviceNote();
  bitmap.close();
  state = { ...state, classIndex: view.target(state.classIndex).index };
  // The form shows what this explanation was asked with (a shared one included).
  ui.topk.value = String(explanation.explanations.length);
  if ((METHOD_NAMES as readonly string[]).includes(explanation.method)) ui.method.value = explanation.method;
  if ([...ui.model.options].some((o) => o.value === explanation.model.id)) ui.model.value = explanation.model.id;
  ui.empty.hidden = true;
  ui.result.hidden = false;
  buildPredictions(explanation);
  buildCompare(explanation.explanations);
  render();
}

/** Where and how fast a private result was computed; data attributes carry the numbers for tests and tools. */
function showDeviceNote(): void {
  const computed = shown?.computed;
  ui.deviceNote.hidden = !computed;
  if (!computed) return;
  const { backend, timings } = computed;
  const ms = (value: number) => `${Math.round(value)} ms`;
  const sent = shown?.view.explanation.links
    ? 'You shared the result and a 512 px preview; the image itself was not sent.'
    : 'Nothing about the image was sent.';
  ui.deviceNote.textContent =
    `Computed on this device with ${describeBackend(backend)}: model ${ms(timings.model)}, decoding ${ms(timings.decode)}, ` +
    `loading ${ms(timings.load)}. ${sent}`;
  Object.assign(ui.deviceNote.dataset, {
    build: backend.build,
    threads: String(backend.threads),
    modelMs: timings.model.toFixed(1),
    decodeMs: timings.decode.toFixed(1),
    loadMs: timings.load.toFixed(1),
    backendMs: timings.backend.toFixed(1),
  });
}

function buildPredictions(explanation: Explanation): void {
  const explained = new Set(explanation.explanations.map((e) => e.index));
  ui.predictions.replaceChildren(
    ...explanation.predictions.map((p: Prediction) => {
      const bar = el('span', { className: 'bar' }, [el('span', { className: 'bar-fill' })]);
      (bar.firstElementChild as HTMLElement).style.width = `${Math.max(0.5, p.score * 100)}%`;
      const content = [el('span', { className: 'label', textContent: p.label }), el('span', { className: 'score', textContent: formatScore(p.score) }), bar];
      if (!explained.has(p.index)) {
        return el('li', { className: 'prediction unexplained', title: 'No map for this class: raise “Classes” to explain it' }, content);
      }
      const button = el('button', { type: 'button', className: 'prediction-button' }, content);
      button.dataset.classIndex = String(p.index);
      button.addEventListener('click', () => update({ classIndex: p.index }));
      return el('li', { className: 'prediction' }, [button]);
    }),
  );
}

function buildCompare(explanations: ClassExplanationDocument[]): void {
  if (!shown) return;
  const canvases = shown.compareCanvases;
  ui.compare.replaceChildren(
    ...explanations.map((e) => {
      const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `Heat map for “${e.label}” over the image` } });
      canvases.set(e.index, canvas);
      const button = el('button', { type: 'button', className: 'compare-item' }, [
        canvas,
        el('span', { className: 'compare-caption' }, [el('span', { className: 'label', textContent: e.label }), el('span', { className: 'score', textContent: formatScore(e.score) })]),
      ]);
      button.dataset.classIndex = String(e.index);
      button.addEventListener('click', () => {
        update({ classIndex: e.index });
        ui.canvas.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
      });
      return button;
    }),
  );
}

let frame = 0;
/** The compare grid depends on the colour map, opacity, scale and view, not on the selected class. */
let compareDirty = false;

/** Redraws on the next animation frame; slider drags coalesce into one draw per frame. */
function render(redrawCompare = true): void {
  compareDirty ||= redrawCompare;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function update(change: Partial<ViewState>): void {
  const before = state;
  state = { ...state, ...change };
  render(before.colormap !== state.colormap || before.alpha !== state.alpha || before.scale !== state.scale || before.view !== state.view);
}

function draw(): void {
  syncControls();
  if (!shown) return;
  const { view } = shown;
  const target = view.target(state.classIndex);
  const image = view.image;
  paint(ui.canvas, image.width, image.height, view.render(state, image, target));
  ui.canvas.setAttribute('aria-label', `${VIEW_TITLES[state.view]} for “${target.label}” (${formatScore(target.score)})`);
  ui.caption.textContent = `${target.label} · ${formatScore(target.score)}`;
  const { model, layer, method } = view.explanation;
  const cache = view.explanation.cache === 'hit' ? ' · from the cache' : view.explanation.computedOn === 'device' && view.explanation.id ? ' · computed on a device, shared' : '';
  ui.details.textContent = `${method} on ${layer.name} (${layer.width}×${layer.height}) · ${modelName(model.id)} ${model.version.slice(0, 8)}${cache}`;

  paintLegend(ui.legend, state.colormap);
  if (state.scale === 'raw') {
    ui.legendMin.textContent = formatValue(view.range.min);
    ui.legendMax.textContent = formatValue(view.range.max);
    ui.legendNote.textContent = `Raw values on one scale for all classes. “${target.label}”: min ${formatValue(target.map.min)}, max ${formatValue(target.map.max)}.`;
  } else {
    ui.legendMin.textContent = 'low';
    ui.legendMax.textContent = 'high';
    ui.legendNote.textContent = 'Each map scaled to its own range.';
  }

  for (const button of ui.predictions.querySelectorAll<HTMLButtonElement>('button[data-class-index]')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.classIndex) === target.index));
  }
  for (const button of ui.compare.querySelectorAll<HTMLButtonElement>('button[data-class-index]')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.classIndex) === target.index));
  }
  if (compareDirty) {
    compareDirty = false;
    const compareState = { ...state, view: state.view === 'image' ? 'overlay' : state.view } satisfies ViewState;
    for (const e of view.explanation.explanations) {
      const canvas = shown.compareCanvases.get(e.index);
      if (canvas) paint(canvas, shown.thumbnail.width, shown.thumbnail.height, view.render(compareState, shown.thumbnail, e));
    }
  }
  updateShare(target);
}

function updateShare(target: ClassExplanationDocument): void {
  const explanation = shown?.view.explanation;
  const links = explanation?.links;
  const unshared = explanation?.computedOn === 'device' && !links;
  ui.share.hidden = !links;
  ui.shareDevice.hidden = !unshared;
  ui.shareUnavailable.hidden = Boolean(links) || unshared;
  if (!explanation || !links || !explanation.id) return;
  const query = viewStateQuery(state);
  if (explanationIdFromPath(location.pathname) === explanation.id) history.replaceState(null, '', pagePath(explanation.id));
  ui.shareLink.value = `${links.page}?${query}`;
  const { width, height } = shown!.view.image;
  ui.iframeSnippet.value = iframeSnippet({ embedUrl: `${links.embed}?${query}`, title: `Grad-CAM: ${target.label}`, width: Math.min(width, 640), height: (Math.min(width, 640) * height) / width });
  const overlayQuery = new URLSearchParams({ colormap: state.colormap, alpha: String(state.alpha), class: String(target.index) });
  const alt = `Grad-CAM heat map for ${target.label}`;
  ui.markdownSnippet.value = markdownImageSnippet(`${links.overlay}?${overlayQuery}`, alt, `${links.page}?${query}`);
  ui.componentSnippet.value = webComponentSnippet({
    scriptUrl: new URL(WEB_COMPONENT_PATH, links.page).href,
    id: explanation.id,
    attributes: { 'class-index': String(target.index), colormap: state.colormap, opacity: String(state.alpha), view: state.view },
    pageUrl: `${links.page}?${query}`,
    overlayUrl: `${links.overlay}?${overlayQuery}`,
    alt,
  });
}

/** Puts the state into the controls (after a URL load or a change elsewhere). */
function syncControls(): void {
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) input.checked = input.value === state.view;
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="scale"]')) input.checked = input.value === state.scale;
  ui.colormap.value = state.colormap;
  ui.alpha.value = String(state.alpha);
  ui.alphaValue.value = `${Math.round(state.alpha * 100)} %`;
  ui.alpha.disabled = state.view !== 'overlay';
}

// ---- wiring ---------------------------------------------------------------------------------------

function firstImage(files: FileList | null | undefined): File | undefined {
  return [...(files ?? [])].find((f) => f.type.startsWith('image/') || f.type === '') ?? files?.[0];
}

async function copy(button: HTMLButtonElement, field: HTMLInputElement | HTMLTextAreaElement): Promise<void> {
  const label = button.dataset.label ?? button.textContent ?? 'Copy';
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(field.value);
    button.textContent = 'Copied';
  } catch {
    field.focus();
    field.select();
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => (button.textContent = label), 1600);
}

/** A label as a file-name part: letters and digits, dashes between. */
function fileLabel(label: string): string {
  return label.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'class';
}

function wire(): void {
  ui.colormap.replaceChildren(...COLORMAP_NAMES.map((name) => el('option', { value: name, textContent: name })));
  ui.file.addEventListener('change', () => {
    const file = firstImage(ui.file.files);
    if (file) void explainFile(file);
    ui.file.value = '';
  });
  ui.method.replaceChildren(...METHOD_NAMES.map((name) => el('option', { value: name, textContent: METHOD_LABELS[name] })));
  ui.method.value = DEFAULT_METHOD;
  for (const control of [ui.model, ui.topk, ui.method]) {
    control.addEventListener('change', () => {
      if (lastUpload && (lastUpload.model !== ui.model.value || lastUpload.topk !== topk() || lastUpload.method !== method())) {
        void explainFile(lastUpload.file, ui.model.value, true);
      }
    });
  }

  // Drop anywhere on the page; the drop zone lights up while a file hovers.
  document.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    ui.dropzone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) ui.dropzone.classList.remove('dragging');
  });
  document.addEventListener('drop', (event) => {
    ui.dropzone.classList.remove('dragging');
    const file = firstImage(event.dataTransfer?.files);
    if (!file) return;
    event.preventDefault();
    void explainFile(file);
  });
  document.addEventListener('paste', (event) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea')) return;
    const file = firstImage(event.clipboardData?.files);
    if (!file) return;
    event.preventDefault();
    void explainFile(new File([file], file.name || 'pasted image', { type: file.type }));
  });

  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) {
    input.addEventListener('change', () => update({ view: input.value as ViewName }));
  }
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="scale"]')) {
    input.addEventListener('change', () => update({ scale: input.value as (typeof SCALE_NAMES)[number] }));
  }
  ui.colormap.addEventListener('change', () => update({ colormap: ui.colormap.value as ViewState['colormap'] }));
  ui.alpha.addEventListener('input', () => update({ alpha: Number(ui.alpha.value) }));

  ui.download.addEventListener('click', async () => {
    if (!shown) return;
    download(await canvasPng(ui.canvas), `gradcam-${fileLabel(shown.view.target(state.classIndex).label)}-${state.view}.png`);
  });
  ui.downloadJson.addEventListener('click', () => {
    if (!shown) return;
    const json = JSON.stringify(shown.view.explanation, null, 2);
    download(new Blob([json], { type: 'application/json' }), `gradcam-${fileLabel(shown.view.explanation.explanations[0].label)}.json`);
  });
  ui.private.addEventListener('change', () => {
    setPrivateMode(ui.private.checked);
    // On: the image already shown is explained again here. Off: an image chosen in private mode is
    // forgotten, so changing the model or the classes can never upload it.
    if (ui.private.checked && lastUpload) void explainFile(lastUpload.file, ui.model.value, true);
    else if (lastUpload?.onDevice) lastUpload = undefined;
  });
  ui.shareUpload.addEventListener('click', () => void shareDeviceResult());
  for (const [buttonId, field] of [['copy-link', ui.shareLink], ['copy-iframe', ui.iframeSnippet], ['copy-component', ui.componentSnippet], ['copy-markdown', ui.markdownSnippet]] as const) {
    const button = byId(buttonId, HTMLButtonElement);
    button.addEventListener('click', () => void copy(button, field));
  }

  window.addEventListener('popstate', () => {
    state = parseViewState(location.search);
    const id = explanationIdFromPath(location.pathname);
    if (id && id !== shown?.view.explanation.id) void openStored(id);
    else render();
  });
}

async function start(): Promise<void> {
  wire();
  setPrivateMode(startQuery.get('compute') === 'device');
  syncControls();
  // Views are listed in VIEW_NAMES order in the page; a mismatch is a build error, caught here early.
  if (document.querySelectorAll('input[name="view"]').length !== VIEW_NAMES.length) throw new Error('the page lacks a view control');
  renderPhotoGallery(ui.photos, (file) => void explainFile(file, photoModel()));
  renderGallery(ui.gallery, (file) => void explainFile(file, sceneModel()));
  const id = explanationIdFromPath(location.pathname);
  const opening = id ? openStored(id) : Promise.resolve();
  await loadModels();
  await opening;
}

void start().catch(showError);
