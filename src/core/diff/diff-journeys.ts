import type {Journey, Step} from '../journey/model.js'
import type {ChangeClass, DiffOp, DiffOperation, DiffValue} from './types.js'
import {
  actionKey,
  actionValue,
  canHoldCustomers,
  entryValue,
  exitValue,
  goalValue,
  reentryValue,
  same,
  settingsValue,
  stepValue,
  waitValue,
} from './values.js'

/** How the steps of two versions correspond. */
export interface StepMatch {
  /** Old and new step of every step kept (same id or renamed), in the new journey's order. */
  pairs: Array<{old: Step; new: Step}>
  /** Old id -> new id of every renamed step. */
  renames: Map<string, string>
  /** In the new journey's order. */
  added: Step[]
  /** In the old journey's order. */
  removed: Step[]
}

/**
 * Pairs steps by id, then pairs a removed step with an added one as a rename: the one
 * its `moved` entry names (same kind), else one that does the same thing (same action
 * and settings, ignoring id, name and targets).
 * Deterministic: removed steps in old order each take the first free candidate in new order.
 */
export function matchSteps(a: Journey, b: Journey): StepMatch {
  const oldById = new Map(a.steps.map((s) => [s.id, s]))
  const newIds = new Set(b.steps.map((s) => s.id))
  const unmatchedNew = b.steps.filter((s) => !oldById.has(s.id))
  const removed: Step[] = []
  const renamedTo = new Map<string, Step>()
  for (const old of a.steps) {
    if (newIds.has(old.id)) continue
    const key = actionKey(old)
    // `moved: { old: new }` onto an added step of the same kind says so explicitly, even if its settings changed.
    const movedTo = unmatchedNew.find((s) => s.id === b.moved[old.id] && s.kind === old.kind && !renamedTo.has(s.id))
    const candidate = movedTo ?? unmatchedNew.find((s) => !renamedTo.has(s.id) && actionKey(s) === key)
    if (candidate) renamedTo.set(candidate.id, old)
    else removed.push(old)
  }
  const pairs: StepMatch['pairs'] = []
  const added: Step[] = []
  for (const step of b.steps) {
    const old = oldById.get(step.id) ?? renamedTo.get(step.id)
    if (old) pairs.push({old, new: step})
    else added.push(step)
  }
  const renames = new Map([...renamedTo].map(([newId, old]) => [old.id, newId]))
  return {pairs, renames, added, removed}
}

type Push = (op: DiffOp, cls: ChangeClass, fields: Omit<DiffOperation, 'op' | 'class'>) => void

/** One operation when `from` and `to` differ; absent values mean "not set". */
function compare(
  push: Push,
  op: DiffOp,
  cls: ChangeClass,
  field: string,
  from: DiffValue | undefined,
  to: DiffValue | undefined,
  step?: string,
) {
  if (same(from ?? null, to ?? null)) return
  push(op, cls, {...(step === undefined ? {} : {step}), field, ...(from === undefined ? {} : {from}), ...(to === undefined ? {} : {to})})
}

/**
 * The semantic difference between two versions of a journey, as operations in a
 * fixed order: journey labels, entry, reentry, exit, goal, settings, then steps in
 * the new journey's order, removed steps, `moved`, and step order. diff(a, a) is empty.
 */
export function diffJourneys(a: Journey, b: Journey): DiffOperation[] {
  const ops: DiffOperation[] = []
  const push: Push = (op, cls, fields) => {
    ops.push({op, class: cls, ...fields})
  }

  compare(push, 'journey.changed', 'behaviour', 'id', a.id, b.id)
  compare(push, 'journey.changed', 'cosmetic', 'name', a.name, b.name)
  compare(push, 'journey.changed', 'cosmetic', 'description', a.description, b.description)
  compare(push, 'journey.changed', 'cosmetic', 'owner', a.owner, b.owner)
  compare(push, 'journey.changed', 'cosmetic', 'tags', [...a.tags].sort(), [...b.tags].sort())

  diffEntry(push, a, b)
  compare(push, 'reentry.changed', 'behaviour', 'reentry', reentryValue(a.reentry), reentryValue(b.reentry))
  diffExit(push, a, b)
  diffGoal(push, a, b)
  const oldSettings = settingsValue(a)
  const newSettings = settingsValue(b)
  for (const key of ['timezone', 'quiet_hours', 'frequency_cap', 'holdout', 'consent'])
    compare(push, 'settings.changed', 'behaviour', `settings.${key}`, oldSettings[key], newSettings[key])

  const match = matchSteps(a, b)
  const rename = (id: string) => match.renames.get(id) ?? id
  const oldStart = a.steps[0]
  const newStart = b.steps[0]
  if (oldStart && newStart && rename(oldStart.id) !== newStart.id) {
    push('entry.changed', 'behaviour', {
      field: 'entry.start',
      from: oldStart.id,
      to: newStart.id,
      note: 'customers now start at another step',
    })
  }
  const pairOf = new Map(match.pairs.map((p) => [p.new.id, p.old]))
  for (const step of b.steps) {
    const old = pairOf.get(step.id)
    if (!old) {
      push('step.added', 'behaviour', {step: step.id, to: stepValue(step)})
      continue
    }
    if (old.id !== step.id) {
      const dropped = canHoldCustomers(old, a) && b.moved[old.id] === undefined
      push('step.renamed', dropped ? 'breaking-in-flight' : 'behaviour', {
        step: step.id,
        from: old.id,
        to: step.id,
        ...(dropped ? {note: inFlightNote(old)} : {}),
      })
    }
    diffStep(push, old, step, rename)
  }
  for (const step of match.removed) {
    const dropped = canHoldCustomers(step, a) && b.moved[step.id] === undefined
    push('step.removed', dropped ? 'breaking-in-flight' : 'behaviour', {
      step: step.id,
      from: stepValue(step),
      ...(dropped ? {note: inFlightNote(step)} : {}),
    })
  }
  for (const key of [...new Set([...Object.keys(a.moved), ...Object.keys(b.moved)])].sort())
    compare(push, 'moved.changed', 'behaviour', `moved.${key}`, a.moved[key], b.moved[key])
  diffOrder(push, a, match)
  return ops
}

function inFlightNote(step: Step): string {
  const why = step.kind === 'send' ? 'sends deferred by quiet hours wait there' : `customers can wait at a ${step.kind} step`
  return `${why}; add \`moved: { ${step.id}: STEP }\` to say where they continue (spec section 7)`
}

function diffEntry(push: Push, a: Journey, b: Journey): void {
  const from = a.entry
  const to = b.entry
  if (from.kind === 'event' && to.kind === 'event') {
    compare(push, 'entry.changed', 'behaviour', 'entry.event', from.event, to.event)
    compare(push, 'entry.changed', 'behaviour', 'entry.when', from.when, to.when)
  } else if (from.kind === 'segment' && to.kind === 'segment') {
    compare(push, 'entry.changed', 'behaviour', 'entry.segment', from.segment, to.segment)
  } else if (from.kind === 'schedule' && to.kind === 'schedule') {
    compare(push, 'entry.changed', 'behaviour', 'entry.schedule.cron', from.cron, to.cron)
    compare(push, 'entry.changed', 'behaviour', 'entry.schedule.audience', from.audience, to.audience)
  } else {
    compare(push, 'entry.changed', 'behaviour', 'entry', entryValue(from), entryValue(to))
  }
}

/** Exit criteria are a set: any one met removes the customer, so their order does not matter. */
function diffExit(push: Push, a: Journey, b: Journey): void {
  const oldValues = a.exit.map(exitValue)
  const newValues = b.exit.map(exitValue)
  for (const value of oldValues) if (!newValues.some((v) => same(v, value))) push('exit.changed', 'behaviour', {field: 'exit', from: value})
  for (const value of newValues) if (!oldValues.some((v) => same(v, value))) push('exit.changed', 'behaviour', {field: 'exit', to: value})
}

function diffGoal(push: Push, a: Journey, b: Journey): void {
  if (!a.goal || !b.goal) {
    compare(push, 'goal.changed', 'behaviour', 'goal', a.goal && goalValue(a.goal), b.goal && goalValue(b.goal))
    return
  }
  const from = goalValue(a.goal)
  const to = goalValue(b.goal)
  for (const key of ['event', 'when', 'within', 'exit']) compare(push, 'goal.changed', 'behaviour', `goal.${key}`, from[key], to[key])
}

function diffStep(push: Push, old: Step, step: Step, rename: (id: string) => string): void {
  const id = step.id
  const change = (field: string, from: DiffValue | undefined, to: DiffValue | undefined, cls: ChangeClass = 'behaviour') =>
    compare(push, 'step.changed', cls, field, from, to, id)
  /** A target that only differs by a rename is not a change. */
  const target = (field: string, from: string, to: string) => {
    if (rename(from) !== to) change(field, from, to)
  }
  change('name', old.name, step.name, 'cosmetic')
  change('description', old.description, step.description, 'cosmetic')
  if (old.kind !== step.kind) {
    change('action', actionValue(old), actionValue(step))
    if (usesNext(old) && usesNext(step)) target('next', old.next, step.next)
    return
  }
  switch (step.kind) {
    case 'wait':
      change('wait', waitValue((old as typeof step).wait), waitValue(step.wait))
      break
    case 'wait_for': {
      const o = old as typeof step
      const [from, to] = [actionValue(o).wait_for as Record<string, DiffValue>, actionValue(step).wait_for as Record<string, DiffValue>]
      for (const key of ['event', 'when', 'timeout']) change(`wait_for.${key}`, from[key], to[key])
      target('wait_for.on_timeout', o.onTimeout, step.onTimeout)
      break
    }
    case 'branch': {
      const o = old as typeof step
      const count = Math.max(o.cases.length, step.cases.length)
      for (let i = 0; i < count; i++) {
        const [before, after] = [o.cases[i], step.cases[i]]
        if (before && after) {
          change(`branch.cases[${i}].when`, before.when, after.when)
          target(`branch.cases[${i}].next`, before.next, after.next)
        } else change(`branch.cases[${i}]`, before && {...before}, after && {...after})
      }
      target('branch.else', o.else, step.else)
      break
    }
    case 'split': {
      const o = old as typeof step
      const names = (s: typeof step) => s.variants.map((v) => v.variant)
      for (const variant of step.variants) {
        const before = o.variants.find((v) => v.variant === variant.variant)
        if (!before) change(`split.${variant.variant}`, undefined, {...variant})
        else {
          change(`split.${variant.variant}.percent`, before.percent, variant.percent)
          target(`split.${variant.variant}.next`, before.next, variant.next)
        }
      }
      for (const before of o.variants)
        if (!step.variants.some((v) => v.variant === before.variant)) change(`split.${before.variant}`, {...before}, undefined)
      // Assignment walks the variants in order, so reordering them reassigns customers.
      const kept = (list: string[], other: string[]) => list.filter((n) => other.includes(n))
      change('split.order', kept(names(o), names(step)), kept(names(step), names(o)))
      break
    }
    case 'send': {
      const o = old as typeof step
      change('send.channel', o.channel, step.channel)
      change('send.template', o.template, step.template)
      for (const key of keys(o.data, step.data)) change(`send.data.${key}`, o.data[key], step.data[key])
      break
    }
    case 'update': {
      const o = old as typeof step
      for (const key of keys(o.set, step.set)) change(`update.set.${key}`, o.set[key], step.set[key])
      break
    }
  }
  if (usesNext(step)) target('next', old.next, step.next)
}

/** Branches and splits lead only through their cases and variants; their resolved `next` is never taken. */
export function usesNext(step: Step): boolean {
  return step.kind !== 'branch' && step.kind !== 'split'
}

function keys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
}

/**
 * Steps whose position among the kept steps changed: those outside a longest common
 * subsequence of the old and new order. Cosmetic: every `next` is resolved, so order
 * alone changes no path (a changed implicit `next` is reported on its own).
 */
function diffOrder(push: Push, a: Journey, match: StepMatch): void {
  const newOrder = match.pairs.map((p) => p.new.id)
  const oldIndex = new Map(a.steps.map((s, i) => [s.id, i]))
  const oldOrder = [...match.pairs].sort((x, y) => (oldIndex.get(x.old.id) ?? 0) - (oldIndex.get(y.old.id) ?? 0)).map((p) => p.new.id)
  const stay = lcs(oldOrder, newOrder)
  const newIndex = new Map(match.pairs.map((p, i) => [p.new.id, i]))
  for (const {old, new: step} of match.pairs) {
    if (stay.has(step.id)) continue
    const before = oldOrder.indexOf(step.id)
    push('step.moved', 'cosmetic', {
      step: step.id,
      field: 'position',
      from: before + 1,
      to: (newIndex.get(step.id) ?? 0) + 1,
      note: `now ${placeAfter(newOrder, newIndex.get(step.id) ?? 0)}, was ${placeAfter(oldOrder, before)}${old.id === step.id ? '' : ` (as ${old.id})`}`,
    })
  }
}

function placeAfter(order: string[], index: number): string {
  return index === 0 ? 'first' : `after ${order[index - 1]}`
}

/** Members of one longest common subsequence (steps are unique, so sets suffice). */
function lcs(x: string[], y: string[]): Set<string> {
  const table: number[][] = Array.from({length: x.length + 1}, () => new Array<number>(y.length + 1).fill(0))
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      (table[i] as number[])[j] =
        x[i] === y[j] ? (table[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(table[i + 1]?.[j] ?? 0, table[i]?.[j + 1] ?? 0)
  const result = new Set<string>()
  let [i, j] = [0, 0]
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      result.add(x[i] as string)
      i++
      j++
    } else if ((table[i + 1]?.[j] ?? 0) >= (table[i]?.[j + 1] ?? 0)) i++
    else j++
  }
  return result
}
