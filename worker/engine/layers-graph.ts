/**
 * Walking a TF.js LayersModel's own graph: symbolic tensors, the node that produced each, and the order
 * they evaluate in. Shared by the split (split-layers-graph.ts), the eager evaluation
 * (expose-layers-model.ts) and the compiler (compile/), so the graph is read one way everywhere.
 *
 * Example: `const order = topologicalOrder(model.outputs)`, inputs first.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

export type SymbolicTensor = tfl.SymbolicTensor;
export type Layer = tfl.layers.Layer;
/** One call of a layer in the graph: its input and output tensors and its call arguments. */
export type LayerNode = Layer['inboundNodes'][number];

/** The node that produced `t`. */
export function inboundNode(t: SymbolicTensor): LayerNode {
  return t.sourceLayer.inboundNodes[t.nodeIndex];
}

/**
 * Every symbolic tensor `outputs` depend on, themselves included, in evaluation order (inputs first);
 * the walk stops at the tensors of `known`, whose values are given, and leaves them out.
 */
export function topologicalOrder(outputs: readonly SymbolicTensor[], known: ReadonlySet<number> = new Set()): SymbolicTensor[] {
  const seen = new Set<number>();
  const order: SymbolicTensor[] = [];
  const visit = (t: SymbolicTensor) => {
    if (seen.has(t.id) || known.has(t.id)) return;
    seen.add(t.id);
    for (const input of inboundNode(t).inputTensors) visit(input);
    order.push(t);
  };
  outputs.forEach(visit);
  return order;
}
