import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW_STATE, explanationIdFromPath, parseViewState, viewStateQuery, type ViewState } from '../../viewer/src/state';

describe('view state in the URL', () => {
  it('reads back what it writes', () => {
    const state: ViewState = { classIndex: 207, colormap: 'viridis', alpha: 0.65, view: 'masked', scale: 'raw' };
    const query = viewStateQuery(state);
    expect(query).toBe('class=207&colormap=viridis&alpha=0.65&view=masked&scale=raw');
    expect(parseViewState(`?${query}`)).toEqual(state);
  });

  it('uses the overlay.png names for class, colour map and opacity', () => {
    const params = new URLSearchParams(viewStateQuery({ ...DEFAULT_VIEW_STATE, classIndex: 3 }));
    expect([params.get('class'), params.get('colormap'), params.get('alpha')]).toEqual(['3', 'jet', '0.5']);
  });

  it('falls back to defaults for missing or bad values, and clamps the opacity', () => {
    expect(parseViewState('')).toEqual(DEFAULT_VIEW_STATE);
    expect(parseViewState('?class=-1&colormap=rainbow&alpha=abc&view=x&scale=log')).toEqual(DEFAULT_VIEW_STATE);
    expect(parseViewState('?alpha=')).toEqual(DEFAULT_VIEW_STATE);
    expect(parseViewState('?alpha=7').alpha).toBe(1);
    expect(parseViewState('?alpha=-2').alpha).toBe(0);
  });

  it('finds the explanation id in page paths only', () => {
    expect(explanationIdFromPath('/e/AbC-_0123456789abcdefgh')).toBe('AbC-_0123456789abcdefgh');
    expect(explanationIdFromPath('/embed/xyz')).toBe('xyz');
    expect(explanationIdFromPath('/')).toBeUndefined();
    expect(explanationIdFromPath('/e/')).toBeUndefined();
    expect(explanationIdFromPath('/e/a/b')).toBeUndefined();
    expect(explanationIdFromPath('/v1/explanations/abc')).toBeUndefined();
  });
});
