/**
 * What the compiler emits and how it runs: a program is a list of steps over numbered value slots (the
 * symbolic tensors' ids), with the slots each step is the last to read, so that the interpreter frees
 * every activation as soon as nothing needs it and the memory peak is a few activations, not all of them.
 *
 * Example: `const [logits] = runProgram(program, [[input.id, x]], [output.id])`; the caller owns `logits`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One op of a program: reads value slots, writes the node's outputs. */
export interface Step {
  /** The layers it evaluates, for error messages. */
  name: string;
  inputs: number[];
  outputs: number[];
  run(inputs: tf.Tensor[]): tf.Tensor[];
}

export interface Program {
  steps: Step[];
  /** Slots last read by each step: disposed right after it. */
  release: number[][];
  /** Outputs of identity layers, by the slot that holds their value. */
  alias: ReadonlyMap<number, number>;
}

/** The slots to free after each step: each after its last reader; `pinned` ones belong to the caller. */
export function releaseSchedule(steps: readonly Step[], pinned: ReadonlySet<number>): number[][] {
  const lastRead = new Map<number, number>();
  steps.forEach((step, i) => {
    for (const id of step.inputs) lastRead.set(id, i);
    for (const id of step.outputs) if (!lastRead.has(id)) lastRead.set(id, i);
  });
  const release = steps.map(() => [] as number[]);
  for (const [id, i] of lastRead) if (!pinned.has(id)) release[i].push(id);
  return release.map((ids) => [...new Set(ids)]);
}

/** Runs a program from the given slots; returns `outputs` (fresh tensors the caller owns). */
export function runProgram(program: Program, given: Iterable<readonly [number, tf.Tensor]>, outputs: number[]): tf.Tensor[] {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>(given);
    const givenIds = new Set(values.keys());
    program.steps.forEach((step, i) => {
      const inputs = step.inputs.map((id) => {
        const value = values.get(id);
        if (!value) throw new Error(`compiled model: ${step.name} reads a value that was never computed`);
        return value;
      });
      const results = step.run(inputs);
      // A layer run as is may hand back its input; two slots must never share one tensor.
      step.outputs.forEach((id, j) => values.set(id, inputs.includes(results[j]) ? tf.clone(results[j]) : results[j]));
      for (const id of program.release[i]) {
        values.get(id)?.dispose();
        values.delete(id);
      }
    });
    const returned = new Set<tf.Tensor>();
    return outputs.map((output) => {
      const id = program.alias.get(output) ?? output;
      const value = values.get(id)!;
      // Never hand back the caller's own tensor, nor the same tensor twice: the caller disposes each.
      const fresh = givenIds.has(id) || returned.has(value) ? tf.clone(value) : value;
      returned.add(value);
      return fresh;
    });
  });
}
