import {END} from '../model.js'
import {didYouMean} from '../suggest.js'
import {isObject, type Rule, rawEdges, stepIds} from './rule-context.js'

/** JOE2001 duplicate step ids, JOE2002 the reserved id `end`. */
export const stepIdRule: Rule = (ctx) => {
  const first = new Map<string, number>()
  for (const step of ctx.steps) {
    if (step.id === undefined) continue
    const path = ['steps', step.index, 'id']
    if (step.id === END) {
      ctx.report({
        code: 'JOE2002',
        severity: 'error',
        message: '"end" is reserved and cannot be a step id',
        hint: 'rename the step; `next: end` already completes the journey',
        path,
      })
      continue
    }
    const earlier = first.get(step.id)
    if (earlier === undefined) first.set(step.id, step.index)
    else {
      const line = ctx.source.locate(['steps', earlier, 'id']).line
      ctx.report({
        code: 'JOE2001',
        severity: 'error',
        message: `step id "${step.id}" is used twice`,
        hint: `the first "${step.id}" is on line ${line}; give this step a different id`,
        path,
      })
    }
  }
}

/** JOE2003 references to steps that do not exist; JOE2065 `next` ignored on branch/split. */
export const referenceRule: Rule = (ctx) => {
  const ids = stepIds(ctx.steps)
  const known = [...ids.keys()]
  for (const step of ctx.steps) {
    for (const edge of rawEdges(step, ctx.steps)) {
      if (!edge.path || edge.target === END || ids.has(edge.target)) continue
      ctx.report({
        code: 'JOE2003',
        severity: 'error',
        message: `${edge.label === 'next' ? '`next`' : edge.label === 'else' ? '`else`' : edge.label === 'on_timeout' ? '`on_timeout`' : `${edge.label}'s \`next\``} names step "${edge.target}", which does not exist`,
        hint: `${didYouMean(edge.target, known)}steps are: ${known.join(', ')} (or \`end\`)`,
        path: edge.path,
      })
    }
    const kind = isObject(step.value.branch) ? 'branch' : Array.isArray(step.value.split) ? 'split' : undefined
    if (kind && step.value.next !== undefined) {
      ctx.report({
        code: 'JOE2065',
        severity: 'warning',
        message: `\`next\` on ${kind} step "${step.id ?? step.index}" is ignored`,
        hint:
          kind === 'branch'
            ? 'each case and `else` name their own next step; remove `next`'
            : 'each variant names its own next step; remove `next`',
        path: ['steps', step.index, 'next'],
        key: true,
      })
    }
  }
}

/** JOE2061: `moved` maps removed steps to existing ones. */
export const movedRule: Rule = (ctx) => {
  if (!isObject(ctx.raw.moved)) return
  const ids = stepIds(ctx.steps)
  const known = [...ids.keys()]
  for (const [from, to] of Object.entries(ctx.raw.moved)) {
    if (ids.has(from)) {
      ctx.report({
        code: 'JOE2061',
        severity: 'error',
        message: `moved: "${from}" is still a step of this journey`,
        hint: 'customers waiting at an existing step stay there; list only steps that an earlier version had and this one removed',
        path: ['moved', from],
        key: true,
      })
    }
    if (typeof to === 'string' && to !== END && !ids.has(to)) {
      ctx.report({
        code: 'JOE2061',
        severity: 'error',
        message: `moved: "${from}" points to "${to}", which is not a step`,
        hint: `${didYouMean(to, known)}point it to an existing step or \`end\``,
        path: ['moved', from],
      })
    }
  }
}
