/**
 * Colour maps for heat maps, as 256-entry RGB lookup tables. The colours come from well-kept libraries,
 * never typed in: viridis, inferno and turbo from d3-scale-chromatic, jet from colormap. Pure and
 * runtime-free: the worker (overlay.png) and the viewer (canvas) draw with the same tables.
 */
import createColormap from 'colormap';
import { interpolateInferno, interpolateTurbo, interpolateViridis } from 'd3-scale-chromatic';

export const COLORMAP_NAMES = ['jet', 'viridis', 'turbo', 'inferno'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];
export const DEFAULT_COLORMAP: ColormapName = 'jet';

const LEVELS = 256;

function fromInterpolator(interpolate: (t: number) => string): Uint8Array {
  const table = new Uint8Array(LEVELS * 3);
  for (let i = 0; i < LEVELS; i++) {
    // d3 interpolators answer "rgb(r, g, b)" (or "#rrggbb" for some schemes).
    const css = interpolate(i / (LEVELS - 1));
    const rgb = css.startsWith('#')
      ? [1, 3, 5].map((o) => parseInt(css.slice(o, o + 2), 16))
      : (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    table.set(rgb, i * 3);
  }
  return table;
}

function jet(): Uint8Array {
  const rows = createColormap({ colormap: 'jet', nshades: LEVELS, format: 'rgba' }) as number[][];
  const table = new Uint8Array(LEVELS * 3);
  rows.forEach(([r, g, b], i) => table.set([r, g, b], i * 3));
  return table;
}

const BUILDERS: Record<ColormapName, () => Uint8Array> = {
  jet,
  viridis: () => fromInterpolator(interpolateViridis),
  turbo: () => fromInterpolator(interpolateTurbo),
  inferno: () => fromInterpolator(interpolateInferno),
};
const tables = new Map<ColormapName, Uint8Array>();

export function isColormapName(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

/** The RGB table of a colour map: entry i (0…255) at [3i, 3i + 3). Built once, then shared. */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (!table) {
    table = BUILDERS[name]();
    tables.set(name, table);
  }
  return table;
}
