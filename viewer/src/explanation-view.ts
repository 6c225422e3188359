/**
 * An explanation together with the image it explains, ready to draw: picks the class a view state
 * names, decodes its map at the state's scale (once), and renders the state's view. Shared by the
 * viewer and the embed page so both draw the same pixels for the same link.
 */
import type { MapRange } from '../../worker/explain/normalize';
import type { ClassExplanationDocument } from '../../worker/service/explanation-document';
import type { HeatMap } from '../../worker/render/overlay';
import type { Explanation } from './api';
import { displayMap, rawRange } from './maps';
import type { ScaleName, ViewState } from './state';
import { renderView, type RgbImage } from './views';

export class ExplanationView {
  /** The one scale every raw map is drawn on. */
  readonly range: MapRange;
  private readonly maps = new Map<string, HeatMap>();

  constructor(
    readonly explanation: Explanation,
    readonly image: RgbImage,
  ) {
    if (explanation.explanations.length === 0) throw new Error('the explanation explains no class');
    this.range = rawRange(explanation.explanations);
  }

  /** The explained class with this label index, or the first one when it is absent or not explained. */
  target(classIndex: number | undefined): ClassExplanationDocument {
    const all = this.explanation.explanations;
    return all.find((e) => e.index === classIndex) ?? all[0];
  }

  map(target: ClassExplanationDocument, scale: ScaleName): HeatMap {
    const key = `${target.index}/${scale}`;
    let map = this.maps.get(key);
    if (!map) {
      map = displayMap(target.map, scale, this.range);
      this.maps.set(key, map);
    }
    return map;
  }

  /** RGBA pixels of the state's view, at `image`'s size (or another image of the same scene, e.g. a thumbnail). */
  render(state: ViewState, image: RgbImage = this.image, target = this.target(state.classIndex)): Uint8ClampedArray {
    return renderView(state.view, image, this.map(target, state.scale), { colormap: state.colormap, alpha: state.alpha });
  }
}
