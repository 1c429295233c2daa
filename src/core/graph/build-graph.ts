import {formatDuration} from '../diff/values.js'
import {END, type Journey, type Step, type StepKind} from '../journey/model.js'

/**
 * A journey as a flowchart, independent of any drawing syntax: renderers turn it
 * into Mermaid, DOT or SVG. Node ids: `entry`, `end`, `exit`, `goal`, `step:<id>`,
 * `removed:<id>`.
 */

export type NodeKind = 'entry' | 'end' | 'exit' | 'goal' | 'removed' | StepKind

export interface GraphNode {
  id: string
  kind: NodeKind
  /** The step id, or the node's role ("entry", "end"). */
  title: string
  /** Key settings, one per line (durations, channel and template, conditions). */
  lines: string[]
  /** Present for step nodes. */
  step?: string
  /** Present when a diff highlights the node. */
  status?: 'added' | 'changed' | 'removed'
  /** Present with simulation counts: arrivals at the step (or entries, completions). */
  count?: number
}

export type EdgeKind = 'start' | 'next' | 'case' | 'else' | 'variant' | 'event' | 'timeout' | 'anytime'

export interface GraphEdge {
  from: string
  to: string
  kind: EdgeKind
  /** Present when the edge has a condition, variant, event or timeout. */
  label?: string
  /** Present with simulation counts: customers who took the edge. */
  count?: number
}

export interface JourneyGraph {
  journey: string
  name: string
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** Simulation counts to put on the graph (see graph-stats.ts). */
export interface GraphCounts {
  /** Entries of the treatment group (holdouts receive nothing and are left out). */
  entries: number
  /** Arrivals per step id. */
  steps: Record<string, number>
  /** Passes per branch step and case index or `else`. */
  branches: Record<string, Record<string, number>>
  /** Passes per split step and variant. */
  variants: Record<string, Record<string, number>>
  /** Moves from a step to the next (`from>to`, `to` may be `end`). */
  transitions: Record<string, number>
  /** Entries that reached `end`, were removed by an exit criterion, reached the goal. */
  completed: number
  exited: number
  converted: number
}

export interface GraphOptions {
  counts?: GraphCounts
  /** Step ids to highlight, and steps of an older version to show as removed. */
  changes?: {added: ReadonlySet<string>; changed: ReadonlySet<string>; removed: readonly Step[]}
}

/** Longer conditions are cut in labels (the diff shows them whole). */
const MAX_LABEL = 48

export function clip(text: string, max = MAX_LABEL): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export const stepNode = (id: string) => (id === END ? 'end' : `step:${id}`)

export function stepLines(step: Step): string[] {
  switch (step.kind) {
    case 'wait':
      return step.wait.kind === 'duration'
        ? [`wait ${formatDuration(step.wait.ms)}`]
        : [`wait until ${step.wait.time}${step.wait.days ? ` (${step.wait.days.join(', ')})` : ''}`]
    case 'wait_for':
      return [`wait for ${step.event}`, ...(step.when ? [`when ${clip(step.when)}`] : []), `timeout ${formatDuration(step.timeoutMs)}`]
    case 'branch':
      return ['branch']
    case 'split':
      return ['split']
    case 'send':
      return [`send ${step.channel}: ${step.template}`]
    case 'update':
      return [`update ${Object.keys(step.set).join(', ')}`]
  }
}

function entryLines(journey: Journey): string[] {
  const e = journey.entry
  const lines =
    e.kind === 'event'
      ? [`on ${e.event}`, ...(e.when ? [`when ${clip(e.when)}`] : [])]
      : e.kind === 'segment'
        ? [`segment ${clip(e.segment)}`]
        : [`schedule ${e.cron}`, ...(e.audience ? [`audience ${clip(e.audience)}`] : [])]
  if (journey.reentry.kind === 'always') lines.push('reentry always')
  if (journey.reentry.kind === 'after') lines.push(`reentry after ${formatDuration(journey.reentry.afterMs)}`)
  if (journey.settings.holdout > 0) lines.push(`holdout ${journey.settings.holdout}%`)
  return lines
}

/** Nodes and labelled edges of a journey: entry, every step with its settings, end, exit criteria and goal. */
export function buildGraph(journey: Journey, options: GraphOptions = {}): JourneyGraph {
  const counts = options.counts
  const nodes: GraphNode[] = [
    {id: 'entry', kind: 'entry', title: 'entry', lines: entryLines(journey), ...(counts ? {count: counts.entries} : {})},
  ]
  const edges: GraphEdge[] = []
  const first = journey.steps[0]
  if (first)
    edges.push({
      from: 'entry',
      to: stepNode(first.id),
      kind: 'start',
      ...(counts ? {count: counts.transitions[`entry>${first.id}`] ?? 0} : {}),
    })
  const moves = (from: string, to: string) => (counts ? {count: counts.transitions[`${from}>${to}`] ?? 0} : {})
  for (const step of journey.steps) {
    const status = options.changes?.added.has(step.id) ? 'added' : options.changes?.changed.has(step.id) ? 'changed' : undefined
    nodes.push({
      id: stepNode(step.id),
      kind: step.kind,
      title: step.name ? `${step.id} · ${clip(step.name, 32)}` : step.id,
      lines: stepLines(step),
      step: step.id,
      ...(status ? {status} : {}),
      ...(counts ? {count: counts.steps[step.id] ?? 0} : {}),
    })
    const from = stepNode(step.id)
    switch (step.kind) {
      case 'branch':
        step.cases.forEach((c, i) => {
          edges.push({
            from,
            to: stepNode(c.next),
            kind: 'case',
            label: `when ${clip(c.when)}`,
            ...(counts ? {count: counts.branches[step.id]?.[String(i)] ?? 0} : {}),
          })
        })
        edges.push({
          from,
          to: stepNode(step.else),
          kind: 'else',
          label: 'else',
          ...(counts ? {count: counts.branches[step.id]?.else ?? 0} : {}),
        })
        break
      case 'split':
        for (const v of step.variants)
          edges.push({
            from,
            to: stepNode(v.next),
            kind: 'variant',
            label: `${v.variant} ${v.percent}%`,
            ...(counts ? {count: counts.variants[step.id]?.[v.variant] ?? 0} : {}),
          })
        break
      case 'wait_for': {
        const timeout = `timeout ${formatDuration(step.timeoutMs)}`
        if (step.next === step.onTimeout) {
          edges.push({from, to: stepNode(step.next), kind: 'event', label: `${step.event} or ${timeout}`, ...moves(step.id, step.next)})
        } else {
          edges.push({from, to: stepNode(step.next), kind: 'event', label: step.event, ...moves(step.id, step.next)})
          edges.push({from, to: stepNode(step.onTimeout), kind: 'timeout', label: timeout, ...moves(step.id, step.onTimeout)})
        }
        break
      }
      default:
        edges.push({from, to: stepNode(step.next), kind: 'next', ...moves(step.id, step.next)})
    }
  }
  nodes.push({id: 'end', kind: 'end', title: 'end', lines: [], ...(counts ? {count: counts.completed} : {})})
  if (journey.exit.length > 0) {
    const lines = journey.exit.map((x) =>
      x.kind === 'event' ? `on ${x.event}${x.when ? ` when ${clip(x.when)}` : ''}` : `when ${clip(x.when)}`,
    )
    nodes.push({id: 'exit', kind: 'exit', title: 'exit', lines, ...(counts ? {count: counts.exited} : {})})
    edges.push({from: 'entry', to: 'exit', kind: 'anytime', label: 'any time'})
  }
  if (journey.goal) {
    const g = journey.goal
    const lines = [`on ${g.event}${g.when ? ` when ${clip(g.when)}` : ''}`, ...(g.withinMs ? [`within ${formatDuration(g.withinMs)}`] : [])]
    if (!g.exit) lines.push('customer stays')
    nodes.push({id: 'goal', kind: 'goal', title: 'goal', lines, ...(counts ? {count: counts.converted} : {})})
    edges.push({from: 'entry', to: 'goal', kind: 'anytime', label: 'any time'})
  }
  for (const step of options.changes?.removed ?? []) {
    nodes.push({
      id: `removed:${step.id}`,
      kind: 'removed',
      title: `${step.id} (removed)`,
      lines: stepLines(step),
      step: step.id,
      status: 'removed',
    })
  }
  return {journey: journey.id, name: journey.name, nodes, edges}
}
