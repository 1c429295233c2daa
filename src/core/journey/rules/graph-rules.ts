import {END} from '../model.js'
import {isObject, type RawStep, type Rule, rawEdges, stepIds} from './rule-context.js'

/** The step graph of each journey's steps, built once for the rules that walk it. */
const graphs = new WeakMap<RawStep[], Map<string, string[]>>()

function adjacency(steps: RawStep[]): Map<string, string[]> {
  let graph = graphs.get(steps)
  if (!graph) {
    graph = buildAdjacency(steps)
    graphs.set(steps, graph)
  }
  return graph
}

function buildAdjacency(steps: RawStep[]): Map<string, string[]> {
  const ids = stepIds(steps)
  const graph = new Map<string, string[]>()
  for (const [id, step] of ids) {
    graph.set(
      id,
      rawEdges(step, steps)
        .map((e) => e.target)
        .filter((t) => t !== END && ids.has(t)),
    )
  }
  return graph
}

/** JOE2004: steps no path from the first step reaches (warning). */
export const reachabilityRule: Rule = (ctx) => {
  const ids = stepIds(ctx.steps)
  const first = ctx.steps[0]?.id
  if (first === undefined) return
  const graph = adjacency(ctx.steps)
  const seen = new Set<string>([first])
  const queue = [first]
  while (queue.length > 0) {
    const id = queue.shift() as string
    for (const next of graph.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next)
        queue.push(next)
      }
    }
  }
  for (const [id, step] of ids) {
    if (seen.has(id)) continue
    ctx.report({
      code: 'JOE2004',
      severity: 'warning',
      message: `no path from the first step reaches step "${id}"`,
      hint: 'point a `next`, case, variant or `on_timeout` at it, or remove it',
      path: ['steps', step.index, 'id'],
    })
  }
}

const waits = (step: RawStep | undefined) => step !== undefined && (step.value.wait !== undefined || isObject(step.value.wait_for))

/**
 * JOE2005: a cycle made only of instant steps would run forever at one instant.
 * Finds strongly connected components of the graph without wait/wait_for steps.
 */
export const loopRule: Rule = (ctx) => {
  const ids = stepIds(ctx.steps)
  const graph = adjacency(ctx.steps)
  const instant = [...ids.keys()].filter((id) => !waits(ids.get(id)))
  const instantSet = new Set(instant)
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  let counter = 0
  const components: string[][] = []
  const visit = (id: string) => {
    index.set(id, counter)
    low.set(id, counter)
    counter++
    stack.push(id)
    onStack.add(id)
    for (const next of graph.get(id) ?? []) {
      if (!instantSet.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(id, Math.min(low.get(id) as number, low.get(next) as number))
      } else if (onStack.has(next)) low.set(id, Math.min(low.get(id) as number, index.get(next) as number))
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = []
      let member: string | undefined
      do {
        member = stack.pop() as string
        onStack.delete(member)
        component.push(member)
      } while (member !== id)
      components.push(component)
    }
  }
  for (const id of instant) if (!index.has(id)) visit(id)
  for (const component of components) {
    const selfLoop = component.length === 1 && (graph.get(component[0] as string) ?? []).includes(component[0] as string)
    if (component.length < 2 && !selfLoop) continue
    const ordered = component.map((id) => ids.get(id) as RawStep).sort((a, b) => a.index - b.index)
    const head = ordered[0] as RawStep
    ctx.report({
      code: 'JOE2005',
      severity: 'error',
      message: `steps ${ordered.map((s) => `"${s.id}"`).join(' → ')} form a loop with no wait or wait_for; a customer would loop forever at one instant`,
      hint: 'add a `wait` or `wait_for` step inside the loop, or break it by pointing one `next` elsewhere',
      path: ['steps', head.index, 'id'],
    })
  }
}
