/**
 * Builds a TF.js GraphModel (`model.json` in "graph-model" format plus its weight shards): a TensorFlow
 * GraphDef in JSON (nodes with TF op names and attributes as tfjs-converter reads them) whose constants
 * are stored as float32 / int32 weights.
 *
 * Example:
 * ```ts
 * const g = new GraphBuilder();
 * const x = g.placeholder('input', [-1, 224, 224, 3]);
 * const y = g.op('logits', 'MatMul', [x, g.constant('w', w, [3, 10])]);
 * const { modelJson, weightData } = g.build();
 * ```
 */

/** An attribute value as tfjs-converter's operation mapper reads it (strings are base64, ints decimal strings). */
export type AttrValue =
  | { type: 'DT_FLOAT' | 'DT_INT32' }
  | { s: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { list: { i?: string[]; f?: number[] } }
  | { shape: { dim: { size: string }[] } }
  | { tensor: { dtype: 'DT_FLOAT' | 'DT_INT32'; tensorShape: { dim: { size: string }[] } } };

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

export type WeightDtype = 'float32' | 'int32';

interface Weight {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  values: Float32Array | Int32Array;
}

export interface GraphModelJson {
  format: 'graph-model';
  generatedBy: string;
  convertedBy: string;
  modelTopology: { node: GraphNode[]; library: Record<string, never>; versions: Record<string, never> };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: WeightDtype }[] }[];
}

export const attr = {
  dtype: (dtype: WeightDtype): AttrValue => ({ type: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32' }),
  string: (value: string): AttrValue => ({ s: btoa(value) }),
  int: (value: number): AttrValue => ({ i: String(value) }),
  float: (value: number): AttrValue => ({ f: value }),
  bool: (value: boolean): AttrValue => ({ b: value }),
  ints: (values: readonly number[]): AttrValue => ({ list: { i: values.map(String) } }),
  shape: (dims: readonly number[]): AttrValue => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

const FLOAT = { T: attr.dtype('float32') };

/** TF node names: `[A-Za-z0-9.][A-Za-z0-9_./-]*` (tensorflow/core/graph/graph.cc, kNodeNameRe). */
export function nodeNameFrom(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_./-]/g, '_').replace(/^[^A-Za-z0-9.]+/, '');
  return cleaned || 'node';
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly #weights: Weight[] = [];
  readonly #names = new Set<string>();

  /** A node name based on `base` that no other node has. */
  uniqueName(base: string): string {
    const name = nodeNameFrom(base);
    let candidate = name;
    for (let i = 1; this.#names.has(candidate); i++) candidate = `${name}_${i}`;
    this.#names.add(candidate);
    return candidate;
  }

  #add(node: GraphNode): string {
    this.nodes.push(node);
    return node.name;
  }

  placeholder(base: string, shape: readonly number[]): string {
    return this.#add({ name: this.uniqueName(base), op: 'Placeholder', attr: { dtype: attr.dtype('float32'), shape: attr.shape(shape) } });
  }

  constant(base: string, values: Float32Array | Int32Array, shape: readonly number[], dtype: WeightDtype = 'float32'): string {
    const name = this.uniqueName(base);
    const dims = shape.map((d) => ({ size: String(d) }));
    this.#weights.push({ name, shape: [...shape], dtype, values });
    const tfType = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    return this.#add({ name, op: 'Const', attr: { dtype: attr.dtype(dtype), value: { tensor: { dtype: tfType, tensorShape: { dim: dims } } } } });
  }

  /** An int32 vector constant (axes, shapes, paddings). */
  ints(base: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant(base, Int32Array.from(values), shape, 'int32');
  }

  /** A float32 scalar constant. */
  scalar(base: string, value: number): string {
    return this.constant(base, Float32Array.of(value), []);
  }

  /** A float op (attribute T = DT_FLOAT) on `inputs`. */
  op(base: string, op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.#add({ name: this.uniqueName(base), op, input: [...inputs], attr: { ...FLOAT, ...attrs } });
  }

  /**
   * The model.json and its weights in shards of at most `shardBytes` (4 MiB, as tensorflowjs_converter
   * writes them): a KV value or static asset holds at most 25 MiB.
   */
  build(options: { generatedBy: string; shardBytes?: number; shardPrefix?: string }): { modelJson: GraphModelJson; shards: Map<string, Uint8Array> } {
    const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
    const total = this.#weights.reduce((n, w) => n + w.values.byteLength, 0);
    // Typed arrays hold host byte order; TF.js weight files are little-endian, as every host it runs on.
    const data = new Uint8Array(total);
    let offset = 0;
    for (const w of this.#weights) {
      data.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
      offset += w.values.byteLength;
    }
    const count = Math.max(1, Math.ceil(total / shardBytes));
    const prefix = options.shardPrefix ?? 'group1';
    const shards = new Map<string, Uint8Array>();
    for (let i = 0; i < count; i++) shards.set(`${prefix}-shard${i + 1}of${count}.bin`, data.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)));
    const modelJson: GraphModelJson = {
      format: 'graph-model',
      generatedBy: options.generatedBy,
      convertedBy: 'gradcam-edge model:add',
      modelTopology: { node: this.nodes, library: {}, versions: {} },
      weightsManifest: [{ paths: [...shards.keys()], weights: this.#weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
    };
    return { modelJson, shards };
  }
}
