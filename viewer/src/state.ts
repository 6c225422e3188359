/**
 * What the viewer shows, kept in the page's URL so a copied link reproduces it: the explained class,
 * the colour map and opacity (named as the API's overlay.png query: `class`, `colormap`, `alpha`), the
 * view and the map scale. Parsing is lenient: a missing or bad value falls back to its default.
 *
 * Example: `parseViewState('?class=207&colormap=viridis&alpha=0.6')`;
 * `viewStateQuery(state)` → `class=207&colormap=viridis&alpha=0.6&view=overlay&scale=normalised`.
 */
import { DEFAULT_COLORMAP, isColormapName, type ColormapName } from '../../worker/render/colormap';

/** The four views of the Grad-CAM paper (Selvaraju et al., 2017, fig. 1): image, map, overlay, masked image. */
export const VIEW_NAMES = ['image', 'map', 'overlay', 'masked'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** `normalised`: each map min–max scaled on its own; `raw`: all maps on one scale, the API's raw values. */
export const SCALE_NAMES = ['normalised', 'raw'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface ViewState {
  /** Label index of the explained class shown; undefined means the first explanation. */
  classIndex?: number;
  colormap: ColormapName;
  /** Opacity of the map over the image, 0…1. */
  alpha: number;
  view: ViewName;
  scale: ScaleName;
}

export const DEFAULT_VIEW_STATE: ViewState = { colormap: DEFAULT_COLORMAP, alpha: 0.5, view: 'overlay', scale: 'normalised' };

function oneOf<T extends string>(names: readonly T[], value: string | null, fallback: T): T {
  return value !== null && (names as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function parseViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const state: ViewState = { ...DEFAULT_VIEW_STATE };
  const classIndex = params.get('class');
  if (classIndex !== null && /^\d+$/.test(classIndex)) state.classIndex = Number(classIndex);
  const colormap = params.get('colormap');
  if (colormap !== null && isColormapName(colormap)) state.colormap = colormap;
  const alpha = Number(params.get('alpha') ?? NaN);
  if (params.get('alpha') !== '' && Number.isFinite(alpha)) state.alpha = Math.min(1, Math.max(0, alpha));
  state.view = oneOf(VIEW_NAMES, params.get('view'), DEFAULT_VIEW_STATE.view);
  state.scale = oneOf(SCALE_NAMES, params.get('scale'), DEFAULT_VIEW_STATE.scale);
  return state;
}

/** The query string (without "?") that `parseViewState` reads back into `state`. */
export function viewStateQuery(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.classIndex !== undefined) params.set('class', String(state.classIndex));
  params.set('colormap', state.colormap);
  params.set('alpha', String(Math.round(state.alpha * 100) / 100));
  params.set('view', state.view);
  params.set('scale', state.scale);
  return params.toString();
}

/** The explanation id of a page path: `/e/{id}` or `/embed/{id}`; undefined for any other path. */
export function explanationIdFromPath(pathname: string): string | undefined {
  const match = /^\/(?:e|embed)\/([A-Za-z0-9_-]+)\/?$/.exec(pathname);
  return match?.[1];
}
