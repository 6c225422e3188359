/** The `colormap` package ships no types; this is the part we use. */
declare module 'colormap' {
  interface ColormapSpec {
    colormap: string;
    nshades: number;
    format: 'rgba' | 'hex' | 'rgbaString' | 'float';
    alpha?: number | [number, number];
  }
  export default function createColormap(spec: ColormapSpec): unknown[];
}
