import type {GraphEdge, GraphNode, JourneyGraph} from './build-graph.js'

/**
 * Text inside a quoted Mermaid label. Mermaid decodes `#name;` and `#code;` entities, so
 * `#` goes first, then everything that could end the label or be read as markup:
 * quotes, `|` (edge label delimiters), angle brackets, `&` and backticks (markdown strings).
 */
export function escapeMermaid(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/&/g, '#amp;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
}

/** Node ids made only of letters, digits and `_`, and never a Mermaid keyword (`end`, `graph`, ...). */
export function mermaidId(id: string): string {
  if (id.startsWith('step:')) return `s_${id.slice(5).replace(/-/g, '_')}`
  if (id.startsWith('removed:')) return `r_${id.slice(8).replace(/-/g, '_')}`
  return `j_${id}`
}

const n = (v: number) => v.toLocaleString('en-US')

export function nodeText(node: GraphNode): string[] {
  return [
    node.title,
    ...node.lines,
    ...(node.count !== undefined
      ? [
          `${n(node.count)} ${node.kind === 'end' ? 'completed' : node.kind === 'goal' ? 'converted' : node.kind === 'exit' ? 'exited' : node.kind === 'entry' ? 'entered' : 'arrived'}`,
        ]
      : []),
  ]
}

export function edgeText(edge: GraphEdge): string | undefined {
  const count = edge.count !== undefined ? n(edge.count) : undefined
  if (edge.label && count !== undefined) return `${edge.label}: ${count}`
  return edge.label ?? count
}

function shape(node: GraphNode, label: string): string {
  const q = `"${label}"`
  switch (node.kind) {
    case 'entry':
    case 'goal':
      return `([${q}])`
    case 'end':
      return `((${q}))`
    case 'exit':
      return `>${q}]`
    case 'wait':
    case 'wait_for':
      return `(${q})`
    case 'branch':
      return `{${q}}`
    case 'split':
      return `{{${q}}}`
    case 'update':
      return `[[${q}]]`
    default:
      return `[${q}]`
  }
}

const CLASS_DEFS = [
  'classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#0f3d1f',
  'classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#3d2e00',
  'classDef removed fill:#ffebe9,stroke:#cf222e,stroke-width:1px,stroke-dasharray:4 3,color:#82071e',
]

/** A Mermaid `flowchart TD` of the graph; highlighted nodes get the classes `added`, `changed` or `removed`. */
export function toMermaid(graph: JourneyGraph): string {
  const out = ['flowchart TD']
  for (const node of graph.nodes) out.push(`  ${mermaidId(node.id)}${shape(node, nodeText(node).map(escapeMermaid).join('<br/>'))}`)
  for (const edge of graph.edges) {
    const arrow = edge.kind === 'anytime' ? '-.->' : '-->'
    const text = edgeText(edge)
    out.push(`  ${mermaidId(edge.from)} ${arrow}${text ? `|"${escapeMermaid(text)}"|` : ''} ${mermaidId(edge.to)}`)
  }
  const byStatus = (status: GraphNode['status']) => graph.nodes.filter((nd) => nd.status === status).map((nd) => mermaidId(nd.id))
  const highlighted = (['added', 'changed', 'removed'] as const).filter((s) => byStatus(s).length > 0)
  if (highlighted.length > 0) {
    out.push(...CLASS_DEFS.map((d) => `  ${d}`))
    for (const status of highlighted) out.push(`  class ${byStatus(status).join(',')} ${status}`)
  }
  return out.join('\n')
}
