/**
 * Fusion planning on graphs written out by hand: no model, no tensor. Each value is a number; each node
 * names its role, what it reads and what it writes.
 */
import { describe, expect, it } from 'vitest';
import { planFusion, type FusionGroup, type FusionOptions, type FusionRole, type PlanNode } from '../../../../worker/engine/compile/fusion-plan';

interface Node extends PlanNode {
  name: string;
}

const node = (name: string, role: FusionRole, inputs: number[], outputs: number[]): Node => ({ name, role, inputs, outputs });
const ALL: FusionOptions = { foldBatchNorm: true, fuseActivations: true };

/** A group as names: "conv+bn+relu" for a linear group, the node's name otherwise; then its slots. */
function describeGroup(group: FusionGroup<Node>): string {
  const names = group.kind === 'linear' ? [group.linear, group.batchNorm, group.activation].flatMap((n) => (n ? [n.name] : [])).join('+') : group.layer.name;
  return `${names} ${group.inputs.join(',')}→${group.outputs.join(',')}`;
}

/** input 0 → conv 1 → bn 2 → relu 3 → pool 4, the program reading 4. */
const chain = (convRole: FusionRole = 'linear') => [
  node('conv', convRole, [0], [1]),
  node('bn', 'batch-norm', [1], [2]),
  node('relu', 'activation', [2], [3]),
  node('pool', 'other', [3], [4]),
];

describe('planFusion', () => {
  it('folds the batch norm and fuses the activation that alone read a linear layer', () => {
    const plan = planFusion(chain(), { given: [0], read: [4] }, ALL);
    expect(plan.groups.map(describeGroup)).toEqual(['conv+bn+relu 0→3', 'pool 3→4']);
    expect(plan.alias.size).toBe(0);
    expect([...plan.pinned]).toEqual([0, 4]);
  });

  it('absorbs only what its options allow', () => {
    expect(planFusion(chain(), { given: [0], read: [4] }, { foldBatchNorm: false, fuseActivations: true }).groups.map(describeGroup))
      // The activation reads the batch norm, not the convolution: with the batch norm left out, it stays out too.
      .toEqual(['conv 0→1', 'bn 1→2', 'relu 2→3', 'pool 3→4']);
    expect(planFusion(chain(), { given: [0], read: [4] }, { foldBatchNorm: true, fuseActivations: false }).groups.map(describeGroup))
      .toEqual(['conv+bn 0→2', 'relu 2→3', 'pool 3→4']);
  });

  it('fuses nothing into a linear layer that has an activation of its own', () => {
    const plan = planFusion(chain('activated-linear'), { given: [0], read: [4] }, ALL);
    expect(plan.groups.map(describeGroup)).toEqual(['conv 0→1', 'bn 1→2', 'relu 2→3', 'pool 3→4']);
  });

  it('never fuses through a value the caller reads or gives', () => {
    // The Grad-CAM layer at the batch norm's output: the body must hand it over as it is.
    expect(planFusion(chain(), { given: [0], read: [2] }, ALL).groups.map(describeGroup)).toEqual(['conv+bn 0→2', 'relu 2→3', 'pool 3→4']);
    expect(planFusion(chain(), { given: [0], read: [1, 4] }, ALL).groups.map(describeGroup)).toEqual(['conv 0→1', 'bn 1→2', 'relu 2→3', 'pool 3→4']);
    // A head given the convolution's output starts from it.
    expect(planFusion(chain().slice(1), { given: [1], read: [4] }, ALL).groups.map(describeGroup)).toEqual(['bn 1→2', 'relu 2→3', 'pool 3→4']);
  });

  it('never fuses a value that a second node reads, nor into a node that reads a second value', () => {
    const shared = [
      node('conv', 'linear', [0], [1]),
      node('bn', 'batch-norm', [1], [2]),
      node('add', 'other', [0, 1], [3]),
    ];
    expect(planFusion(shared, { given: [0], read: [2, 3] }, ALL).groups.map(describeGroup)).toEqual(['conv 0→1', 'bn 1→2', 'add 0,1→3']);
    const merge = [node('conv', 'linear', [0], [1]), node('bn', 'batch-norm', [1, 0], [2])];
    expect(planFusion(merge, { given: [0], read: [2] }, ALL).groups.map(describeGroup)).toEqual(['conv 0→1', 'bn 1,0→2']);
  });

  it('makes identity layers aliases of their input, and fuses across them', () => {
    const nodes = [
      node('conv', 'linear', [0], [1]),
      node('dropout', 'identity', [1], [2]),
      node('bn', 'batch-norm', [2], [3]),
      node('dropout_2', 'identity', [3], [4]),
      node('pool', 'other', [4], [5]),
    ];
    const plan = planFusion(nodes, { given: [0], read: [5] }, ALL);
    expect(plan.groups.map(describeGroup)).toEqual(['conv+bn 0→3', 'pool 3→5']);
    expect([...plan.alias]).toEqual([[2, 1], [4, 3]]);
    // Reading an alias pins the value it names.
    expect([...planFusion(nodes, { given: [0], read: [2, 5] }, ALL).pinned]).toEqual([0, 1, 5]);
    expect(planFusion(nodes, { given: [0], read: [2, 5] }, ALL).groups.map(describeGroup)).toEqual(['conv 0→1', 'bn 1→3', 'pool 3→5']);
  });

  it('keeps every output of a node it does not fuse', () => {
    const plan = planFusion([node('split', 'other', [0], [1, 2])], { given: [0], read: [1, 2] }, ALL);
    expect(plan.groups.map(describeGroup)).toEqual(['split 0→1,2']);
  });
});
