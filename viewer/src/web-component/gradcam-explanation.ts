/**
 * `<gradcam-explanation>`, for docs on any site, from one module script served by the service:
 *
 *   <script type="module" src="https://HOST/gradcam-explanation.js"></script>
 *   <gradcam-explanation explanation="ID" class-index="281" colormap="viridis" opacity="0.6" view="overlay">
 *     <a href="https://HOST/e/ID"><img src="https://HOST/v1/explanations/ID/overlay.png" alt="…"></a>
 *   </gradcam-explanation>
 *
 * Attributes: `explanation` (the id), `class-index` (a label index; `class` is HTML's own attribute),
 * `colormap` (jet, viridis, turbo, inferno), `opacity` (0–1), `view` (image, map, overlay, masked),
 * `scale` (normalised, raw). It draws the view on a canvas in its shadow root, with the label, the
 * score and a link to the viewer; its light-DOM children (the linked image above) show until then, and
 * stay when anything fails or scripts do not run. Events: `load` once drawn, `error` (a CustomEvent
 * whose `detail` is the message) when it cannot be. Loading the script twice defines it once.
 */
import { createGradcamClient, type StoredExplanation } from '../../../client/gradcam-client';
import { decodeImageFile, paint, rgbPixels } from '../canvas';
import { ExplanationView } from '../explanation-view';
import { formatScore } from '../format';
import { parseViewState, viewStateQuery, type ViewState } from '../state';

export const ELEMENT_NAME = 'gradcam-explanation';

/** The service is where this script came from. */
const SERVICE_ORIGIN = new URL(import.meta.url).origin;
const client = createGradcamClient({ baseUrl: SERVICE_ORIGIN });

/** One download per explanation, however many elements show it. */
const loaded = new Map<string, Promise<ExplanationView>>();

function loadView(id: string): Promise<ExplanationView> {
  let view = loaded.get(id);
  if (!view) {
    view = Promise.all([client.getExplanation(id), client.preview(id)]).then(
      async ([explanation, preview]: [StoredExplanation, Blob]) => new ExplanationView(explanation, rgbPixels(await decodeImageFile(preview))),
    );
    view.catch(() => loaded.delete(id));
    loaded.set(id, view);
  }
  return view;
}

const STYLES = `
:host { display: block; position: relative; max-width: 100%; font: 600 14px/1.4 system-ui, sans-serif; }
:host([hidden]) { display: none; }
figure { margin: 0; position: relative; }
figure[hidden] { display: none; }
canvas { display: block; width: 100%; height: auto; }
figcaption { position: absolute; inset: auto 0 0 0; display: flex; flex-wrap: wrap; justify-content: space-between; gap: 2px 12px;
  padding: 18px 12px 8px; color: #fff; text-shadow: 0 1px 2px rgb(0 0 0 / 0.6); background: linear-gradient(transparent, rgb(0 0 0 / 0.62)); }
a { color: #fff; font-weight: 500; }
`;

function styleSheet(): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLES);
  return sheet;
}

export class GradcamExplanationElement extends HTMLElement {
  static observedAttributes = ['explanation', 'class-index', 'colormap', 'opacity', 'view', 'scale'];

  private readonly figure: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly label: HTMLSpanElement;
  private readonly link: HTMLAnchorElement;
  private readonly fallback: HTMLSlotElement;
  /** Bumped on every render: an older one still loading must not draw over a newer one. */
  private serial = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    // Constructed style sheets are not subject to the host page's style-src.
    root.adoptedStyleSheets = [styleSheet()];
    this.fallback = document.createElement('slot');
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.label = document.createElement('span');
    this.link = document.createElement('a');
    this.link.target = '_blank';
    this.link.rel = 'noopener';
    this.link.textContent = 'Open in the viewer';
    const caption = document.createElement('figcaption');
    // appendChild, not append: workerd's types (HTMLRewriter's Element) shadow the DOM's append here.
    caption.appendChild(this.label);
    caption.appendChild(this.link);
    this.figure = document.createElement('figure');
    this.figure.hidden = true;
    this.figure.appendChild(this.canvas);
    this.figure.appendChild(caption);
    root.appendChild(this.fallback);
    root.appendChild(this.figure);
  }

  connectedCallback(): void {
    void this.render();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) void this.render();
  }

  /** The view state the attributes ask for, read as the viewer reads its URL (lenient, with defaults). */
  private state(): ViewState {
    const query = new URLSearchParams();
    const names: [string, string][] = [['class-index', 'class'], ['colormap', 'colormap'], ['opacity', 'alpha'], ['view', 'view'], ['scale', 'scale']];
    for (const [attribute, param] of names) {
      const value = this.getAttribute(attribute);
      if (value !== null) query.set(param, value);
    }
    return parseViewState(`?${query}`);
  }

  private async render(): Promise<void> {
    const serial = ++this.serial;
    const id = this.getAttribute('explanation')?.trim();
    try {
      if (!id || !/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('the explanation attribute must be an explanation id');
      const view = await loadView(id);
      if (serial !== this.serial) return;
      const state = this.state();
      const target = view.target(state.classIndex);
      paint(this.canvas, view.image.width, view.image.height, view.render(state, view.image, target));
      this.canvas.setAttribute('aria-label', `Grad-CAM heat map for “${target.label}” (${formatScore(target.score)}) over the explained image`);
      this.label.textContent = `${target.label} · ${formatScore(target.score)}`;
      this.link.href = `${SERVICE_ORIGIN}/e/${encodeURIComponent(id)}?${viewStateQuery({ ...state, classIndex: target.index })}`;
      this.figure.hidden = false;
      this.fallback.hidden = true;
      this.dispatchEvent(new Event('load'));
    } catch (error) {
      if (serial !== this.serial) return;
      this.figure.hidden = true;
      this.fallback.hidden = false;
      const message = error instanceof Error ? error.message : String(error);
      this.dispatchEvent(new CustomEvent('error', { detail: message }));
    }
  }
}

if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, GradcamExplanationElement);
