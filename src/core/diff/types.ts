/**
 * Operations of a semantic journey diff. The differ compares loaded models
 * (`Journey`), never YAML text, so key order, comments, quoting and implicit
 * versus explicit `next` make no difference.
 */

/**
 * cosmetic: labels only (journey or step name/description, owner, tags, step order);
 * behaviour: what customers experience changes;
 * breaking-in-flight: customers waiting at a step lose it (spec section 7): a step where
 * customers can wait was removed or renamed, and the new journey has no `moved` entry for it.
 */
export type ChangeClass = 'cosmetic' | 'behaviour' | 'breaking-in-flight'

export const CHANGE_CLASSES: readonly ChangeClass[] = ['breaking-in-flight', 'behaviour', 'cosmetic']

export type DiffOp =
  | 'journey.added'
  | 'journey.removed'
  | 'journey.changed'
  | 'entry.changed'
  | 'reentry.changed'
  | 'exit.changed'
  | 'goal.changed'
  | 'settings.changed'
  | 'step.added'
  | 'step.removed'
  | 'step.renamed'
  | 'step.changed'
  | 'step.moved'
  | 'moved.changed'

/** A JSON value as shown to users: durations as `2d`, actions in their YAML shape. */
export type DiffValue = string | number | boolean | null | DiffValue[] | {[key: string]: DiffValue}

export interface DiffOperation {
  op: DiffOp
  class: ChangeClass
  /** Present for step operations: the step id (the new id for `step.renamed`, the old one for `step.removed`). */
  step?: string
  /**
   * Present when one field changed: a dotted path in the journey format's own words,
   * e.g. `send.template`, `next`, `branch.cases[0].when`, `split.ten-off.percent`,
   * `settings.quiet_hours`, `goal.within`, `moved.old-step`.
   */
  field?: string
  /** The old value; absent when there was none (something was added). */
  from?: DiffValue
  /** The new value; absent when there is none (something was removed). */
  to?: DiffValue
  /** Present when the class needs a reason (breaking-in-flight, step.moved). */
  note?: string
}

export type ClassCounts = Record<ChangeClass, number>

export function countClasses(operations: readonly DiffOperation[]): ClassCounts {
  const counts: ClassCounts = {'breaking-in-flight': 0, behaviour: 0, cosmetic: 0}
  for (const op of operations) counts[op.class] += 1
  return counts
}

/** The most severe class among the operations, or undefined when there are none. */
export function worstClass(operations: readonly DiffOperation[]): ChangeClass | undefined {
  return CHANGE_CLASSES.find((c) => operations.some((op) => op.class === c))
}
