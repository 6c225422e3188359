import { describe, expect, it } from 'vitest';
import { formatScore, formatValue } from '../../viewer/src/format';

describe('numbers on the page', () => {
  it('shows scores as percentages', () => {
    expect(formatScore(0.131)).toBe('13.1 %');
    expect(formatScore(0.0004)).toBe('0.0 %');
    expect(formatScore(0.999)).toBe('100 %');
  });

  it('shows raw values with three significant digits', () => {
    expect(formatValue(0)).toBe('0');
    expect(formatValue(0.79612)).toBe('0.796');
    expect(formatValue(12.3456)).toBe('12.3');
    expect(formatValue(0.000123)).toBe('1.23e-4');
    expect(formatValue(123456)).toBe('1.23e+5');
  });
});
