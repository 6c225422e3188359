import { describe, expect, it } from 'vitest';
import { dequantize, float16ToNumber } from '../../../../models/import/tflite/dequantize';
import { TensorType } from '../../../../models/import/tflite/schema';
import { bytesOf } from '../../../support/tflite-builder';

describe('dequantize', () => {
  it('reads int8 per-channel weights along dimension 0 (conv filters, OHWI) with each channel its own scale', () => {
    // 3 output channels × 1×1 × 2 inputs; channel c has scale s_c and zero point z_c.
    const q = [10, -20, 4, 8, -128, 127];
    const values = dequantize(bytesOf(q, TensorType.INT8), TensorType.INT8, [3, 1, 1, 2], {
      scale: [0.5, 0.25, 2],
      zeroPoint: [0, 4, -1],
      quantizedDimension: 0,
    });
    // real = scale · (q − zero_point), by hand:
    expect([...values]).toEqual([5, -10, 0, 1, -254, 256]);
  });

  it('reads int8 per-channel weights along the last dimension (depthwise filters, 1HW(C·M))', () => {
    const q = [1, 2, 3, 4, 5, 6, 7, 8];
    const values = dequantize(bytesOf(q, TensorType.INT8), TensorType.INT8, [1, 1, 2, 4], {
      scale: [1, 0.5, 0.25, 0.125],
      zeroPoint: [0],
      quantizedDimension: 3,
    });
    expect([...values]).toEqual([1, 1, 0.75, 0.5, 5, 3, 1.75, 1]);
  });

  it('reads uint8 per-tensor values and int32 biases', () => {
    const u8 = dequantize(Uint8Array.of(0, 128, 255), TensorType.UINT8, [3], { scale: [0.0078125], zeroPoint: [128], quantizedDimension: 0 });
    expect([...u8]).toEqual([-1, 0, 0.9921875]);
    const bias = dequantize(bytesOf([-3, 1000], TensorType.INT32), TensorType.INT32, [2], { scale: [0.001], zeroPoint: [0], quantizedDimension: 0 });
    expect(bias[0]).toBeCloseTo(-0.003, 7);
    expect(bias[1]).toBeCloseTo(1, 6);
  });

  it('reads float16 and float32 as they are', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000].map(float16ToNumber)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0]);
    const half = dequantize(bytesOf([0x3800, 0x3555], TensorType.FLOAT16), TensorType.FLOAT16, [2]);
    expect(half[0]).toBe(0.5);
    expect(half[1]).toBeCloseTo(1 / 3, 3);
    const single = dequantize(bytesOf([1.5, -2.25], TensorType.FLOAT32), TensorType.FLOAT32, [2], { scale: [9], zeroPoint: [1], quantizedDimension: 0 });
    expect([...single]).toEqual([1.5, -2.25]);
  });

  it('refuses scales that do not fit the quantised dimension, and data of the wrong size', () => {
    expect(() =>
      dequantize(bytesOf([1, 2, 3, 4], TensorType.INT8), TensorType.INT8, [2, 2], { scale: [1, 2, 3], zeroPoint: [0], quantizedDimension: 0 }),
    ).toThrow(/3 scales/);
    expect(() => dequantize(new Uint8Array(7), TensorType.FLOAT32, [2])).toThrow(/7 bytes/);
    expect(() => dequantize(new Uint8Array(1), TensorType.FLOAT32 + 5, [1])).toThrow(/cannot be read/);
  });
});
