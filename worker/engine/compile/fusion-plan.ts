/**
 * Fusion planning, a pure step over the graph's shape: which nodes the compiler runs as one op. A linear
 * layer (Conv2D, DepthwiseConv2D, Dense) without an activation of its own absorbs the batch norm that is
 * the sole reader of its output, then the standalone activation that is the sole reader of that; identity
 * layers (dropout at inference) become aliases of their input. A value the caller gives or reads is never
 * fused through. Nothing here touches a tensor: lowering (lower-linear.ts, lower-layer.ts) decides how each
 * group runs.
 *
 * Example: `planFusion(nodes, { given: [input.id], read: [output.id] }, { foldBatchNorm: true, fuseActivations: true })`.
 */

/** What fusion may do with a node, as the layer readers (layer-specs.ts) found it. */
export type FusionRole =
  /** Returns its only input unchanged: no step, its output is another name for its input. */
  | 'identity'
  /** A linear layer with a linear activation: it may absorb a batch norm and an activation after it. */
  | 'linear'
  /** A linear layer that applies an activation of its own: it absorbs nothing. */
  | 'activated-linear'
  /** A batch normalisation the compiler can fold into the linear layer before it. */
  | 'batch-norm'
  /** A standalone activation the compiler can apply inside the op before it. */
  | 'activation'
  | 'other';

/** What planning needs to know of one node of the graph. */
export interface PlanNode {
  role: FusionRole;
  /** Ids of the values it reads and writes (the symbolic tensors'). */
  inputs: readonly number[];
  outputs: readonly number[];
}

/** A linear layer run as one op with what it absorbed. */
export interface LinearGroup<N> {
  kind: 'linear';
  linear: N;
  batchNorm?: N;
  activation?: N;
  /** The slots the op reads, aliases resolved. */
  inputs: number[];
  /** The slot it writes: the output of the last node it absorbed. */
  outputs: number[];
}

/** Any other node, run as a step of its own. */
export interface LayerGroup<N> {
  kind: 'layer';
  layer: N;
  inputs: number[];
  outputs: number[];
}

export type FusionGroup<N> = LinearGroup<N> | LayerGroup<N>;

export interface FusionPlan<N> {
  /** In the nodes' order; every node that is not an identity is in exactly one group. */
  groups: FusionGroup<N>[];
  /** Outputs of identity nodes, by the slot that holds their value. */
  alias: ReadonlyMap<number, number>;
  /** Slots the caller gives or reads: they must exist as tensors and stay the caller's. */
  pinned: ReadonlySet<number>;
}

/** The fusions allowed (CompileLayersOptions' of the same names). */
export interface FusionOptions {
  foldBatchNorm: boolean;
  fuseActivations: boolean;
}

/** The values a program is given and those its caller reads from it. */
export interface ProgramSlots {
  given: readonly number[];
  read: readonly number[];
}

/** Groups `nodes` (in evaluation order) into the ops a program runs. */
export function planFusion<N extends PlanNode>(nodes: readonly N[], { given, read }: ProgramSlots, options: FusionOptions): FusionPlan<N> {
  const alias = new Map<number, number>();
  const slot = (id: number): number => alias.get(id) ?? id;
  const readers = new Map<number, N[]>();
  for (const node of nodes) {
    if (node.role === 'identity') {
      alias.set(node.outputs[0], slot(node.inputs[0]));
      continue;
    }
    for (const i of node.inputs) readers.set(slot(i), [...(readers.get(slot(i)) ?? []), node]);
  }
  const pinned = new Set([...given, ...read].map(slot));
  /** The node of `role` that alone reads `id`, if it reads nothing else. */
  const soleReader = (id: number, role: FusionRole): N | undefined => {
    const r = readers.get(slot(id));
    return !pinned.has(slot(id)) && r?.length === 1 && r[0].inputs.length === 1 && r[0].role === role ? r[0] : undefined;
  };

  const absorbed = new Set<N>();
  const groups: FusionGroup<N>[] = [];
  for (const node of nodes) {
    if (node.role === 'identity' || absorbed.has(node)) continue;
    const inputs = node.inputs.map(slot);
    if (node.role !== 'linear' && node.role !== 'activated-linear') {
      groups.push({ kind: 'layer', layer: node, inputs, outputs: [...node.outputs] });
      continue;
    }
    const absorbing = node.role === 'linear';
    let output = node.outputs[0];
    const batchNorm = absorbing && options.foldBatchNorm ? soleReader(output, 'batch-norm') : undefined;
    if (batchNorm) {
      absorbed.add(batchNorm);
      output = batchNorm.outputs[0];
    }
    const activation = absorbing && options.fuseActivations ? soleReader(output, 'activation') : undefined;
    if (activation) {
      absorbed.add(activation);
      output = activation.outputs[0];
    }
    groups.push({ kind: 'linear', linear: node, batchNorm, activation, inputs, outputs: [output] });
  }
  return { groups, alias, pinned };
}
