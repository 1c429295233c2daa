import {eventStorePath} from '../project/config.js'
import {selectOneJourney} from '../project/select-journeys.js'
import type {EdgeKind, GraphEdge, GraphNode, NodeKind} from './build-graph.js'

/** Version of `joe graph --json` (docs/cli-output.md). 2: `text` and `file` added, `out` null rather than absent, null for absent node and edge fields. */
export const GRAPH_FORMAT_VERSION = 2

export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

/** A node of `joe graph --json`. */
export interface GraphNodeJson {
  id: string
  kind: NodeKind
  title: string
  lines: string[]
  /** The step id for step nodes, else null. */
  step: string | null
  /** With `--simulate`: arrivals (entries, completions), else null. */
  count: number | null
}

/** An edge of `joe graph --json`. */
export interface GraphEdgeJson {
  from: string
  to: string
  kind: EdgeKind
  /** The condition, variant, event or timeout, else null. */
  label: string | null
  /** With `--simulate`: customers who took the edge, else null. */
  count: number | null
}

/** What `joe graph --json` prints. */
export interface GraphResult {
  format_version: typeof GRAPH_FORMAT_VERSION
  journey: string
  /** The journey's file, relative to the working directory. */
  file: string
  format: GraphFormat
  nodes: GraphNodeJson[]
  edges: GraphEdgeJson[]
  /** The drawing in `format` (Mermaid, DOT or SVG text), as printed or written to `out`. */
  text: string
  /** With `--out`: the file the drawing is written to, else null. */
  out: string | null
}

export interface DrawJourneyOptions {
  cwd: string
  configPath?: string
  /** A journey id, file, folder or glob that selects one journey. */
  name: string
  format: GraphFormat
  /** Echoed in the result: where the command writes the drawing. */
  out?: string
  /** Present: counts from a replay of the event store (`store` as given, else the configured one). */
  simulate?: {store?: string; from?: number; until?: number}
}

/** `joe graph`: the journey as a graph model and a drawing, with simulated counts on request. */
export async function drawJourney(options: DrawJourneyOptions): Promise<GraphResult> {
  const {config, journey: selected} = await selectOneJourney({
    cwd: options.cwd,
    ...(options.configPath ? {configPath: options.configPath} : {}),
    name: options.name,
    command: 'graph',
  })
  const {journey} = selected
  const {buildGraph} = await import('./build-graph.js')
  let counts: Parameters<typeof buildGraph>[1] = {}
  if (options.simulate) {
    const {simulateGraphCounts} = await import('./graph-stats.js')
    const {from, until, store} = options.simulate
    counts = {
      counts: simulateGraphCounts(journey, {
        storePath: eventStorePath(config, store, options.cwd),
        ...(from !== undefined ? {from} : {}),
        ...(until !== undefined ? {until} : {}),
      }),
    }
  }
  const graph = buildGraph(journey, counts)
  let text: string
  if (options.format === 'mermaid') text = (await import('./mermaid.js')).toMermaid(graph)
  else {
    const dot = (await import('./dot.js')).toDot(graph)
    text = options.format === 'svg' ? await (await import('./svg.js')).renderSvg(dot) : dot
  }
  return {
    format_version: GRAPH_FORMAT_VERSION,
    journey: journey.id,
    file: selected.file,
    format: options.format,
    nodes: graph.nodes.map(nodeJson),
    edges: graph.edges.map(edgeJson),
    text,
    out: options.out ?? null,
  }
}

function nodeJson(node: GraphNode): GraphNodeJson {
  return {id: node.id, kind: node.kind, title: node.title, lines: node.lines, step: node.step ?? null, count: node.count ?? null}
}

function edgeJson(edge: GraphEdge): GraphEdgeJson {
  return {from: edge.from, to: edge.to, kind: edge.kind, label: edge.label ?? null, count: edge.count ?? null}
}
