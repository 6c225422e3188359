import { describe, expect, it } from 'vitest';
import { heightMessage, RESIZE_MESSAGE_TYPE, wordPressSecret } from '../../viewer/src/embed-messages';

describe('embed height messages', () => {
  it("reads WordPress's secret from the fragment it appends (#?secret=…), and nothing else", () => {
    expect(wordPressSecret('#?secret=AbC123')).toBe('AbC123');
    expect(wordPressSecret('#secret=AbC123')).toBe('AbC123');
    expect(wordPressSecret('')).toBeUndefined();
    expect(wordPressSecret('#?other=1')).toBeUndefined();
    // wp-embed.js makes secrets of letters and digits; anything else is not one of its.
    expect(wordPressSecret('#?secret=a"b')).toBeUndefined();
  });

  it("answers in WordPress's shape with a secret, in the generic one without", () => {
    expect(heightMessage('id1', 321, 'AbC123')).toEqual({ secret: 'AbC123', message: 'height', value: 321 });
    expect(heightMessage('id1', 321, undefined)).toEqual({ type: RESIZE_MESSAGE_TYPE, id: 'id1', height: 321 });
    expect(RESIZE_MESSAGE_TYPE).toBe('gradcam:resize');
  });
});
