import type {GraphNode, JourneyGraph} from './build-graph.js'
import {edgeText, nodeText} from './mermaid.js'

/** A DOT string literal: backslashes and quotes escaped, lines joined with `\n`. */
export function dotString(lines: readonly string[]): string {
  return `"${lines
    .map((l) =>
      l
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/[\r\n]+/g, ' '),
    )
    .join('\\n')}"`
}

const SHAPES: Record<GraphNode['kind'], string> = {
  entry: 'shape=oval, style=filled, fillcolor="#ddf4ff"',
  end: 'shape=doublecircle, style=filled, fillcolor="#eeeeee"',
  exit: 'shape=cds, style=filled, fillcolor="#ffebe9"',
  goal: 'shape=oval, style=filled, fillcolor="#dafbe1"',
  removed: 'shape=box, style="dashed", color="#cf222e", fontcolor="#82071e"',
  wait: 'shape=box, style=rounded',
  wait_for: 'shape=box, style=rounded',
  branch: 'shape=diamond',
  split: 'shape=hexagon',
  send: 'shape=box',
  update: 'shape=box, peripheries=2',
}

const STATUS: Record<NonNullable<GraphNode['status']>, string> = {
  added: 'style="filled,bold", fillcolor="#dafbe1", color="#1a7f37"',
  changed: 'style="filled,bold", fillcolor="#fff8c5", color="#9a6700"',
  removed: '',
}

/** A Graphviz `digraph` of the graph, for `dot -Tsvg` or the WebAssembly renderer. */
export function toDot(graph: JourneyGraph): string {
  const out = [
    `digraph ${dotString([graph.journey])} {`,
    `  graph [rankdir=TB, fontname="Helvetica", labelloc=t, label=${dotString([graph.name])}]`,
    '  node [fontname="Helvetica", fontsize=11]',
    '  edge [fontname="Helvetica", fontsize=10]',
  ]
  for (const node of graph.nodes) {
    const status = node.status ? STATUS[node.status] : ''
    out.push(`  ${dotString([node.id])} [${[SHAPES[node.kind], status].filter(Boolean).join(', ')}, label=${dotString(nodeText(node))}]`)
  }
  for (const edge of graph.edges) {
    const text = edgeText(edge)
    const attrs = [...(text ? [`label=${dotString([text])}`] : []), ...(edge.kind === 'anytime' ? ['style=dotted'] : [])]
    out.push(`  ${dotString([edge.from])} -> ${dotString([edge.to])}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''}`)
  }
  out.push('}')
  return out.join('\n')
}
