import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {checkOutputPath, writeOutputFile} from '../cli/output-file.js'
import {parseInstantFlag, storePath} from '../cli/project-context.js'
import type {GraphEdge, GraphNode} from '../core/graph/build-graph.js'
import {safeText} from '../ui/safe-text.js'

export interface GraphJson {
  format_version: 1
  journey: string
  format: string
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** Present with --out: where the rendered graph was written. */
  out?: string
}

export default class Graph extends JoeCommand<GraphJson> {
  static override summary = 'Draw a journey as a flowchart (Mermaid, DOT or SVG)'

  static override description =
    `Draws the journey as a flowchart: the entry (with its condition, reentry and holdout), every step with its kind and key settings, edges labelled with branch conditions, split variants, awaited events and timeouts, the end, the exit criteria and the goal.

--format mermaid (default) prints a Mermaid flowchart, which GitHub and GitLab render in Markdown; dot prints Graphviz DOT; svg renders an SVG with Graphviz compiled to WebAssembly (no browser, no Graphviz install needed).

--simulate replays the event store through the journey (as \`joe simulate\` does) and puts counts on the nodes and edges: entries, arrivals per step, customers per branch case, variant and timeout.`

  static override examples = [
    {description: 'Mermaid, to paste into Markdown', command: '<%= config.bin %> <%= command.id %> cart-abandonment'},
    {description: 'An SVG file', command: '<%= config.bin %> <%= command.id %> journeys/cart.journey.yaml --format svg --out cart.svg'},
    {
      description: 'With customer counts from the event store',
      command: '<%= config.bin %> <%= command.id %> cart-abandonment --simulate --format svg --out cart.svg',
    },
  ]

  static override args = {journey: Args.string({description: 'A journey file or a journey id of the project.', required: true})}

  static override flags = {
    format: Flags.string({char: 'f', description: 'Output format.', options: ['mermaid', 'dot', 'svg'], default: 'mermaid'}),
    out: Flags.string({char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE'}),
    simulate: Flags.boolean({description: 'Put customer counts from a simulation over the event store on the edges.'}),
    store: Flags.string({
      description: 'Event store for --simulate (default: `store` in joe.config.yaml).',
      helpValue: 'PATH',
      dependsOn: ['simulate'],
    }),
    from: Flags.string({description: 'Start of the --simulate window (date or ISO 8601).', helpValue: 'TIME', dependsOn: ['simulate']}),
    until: Flags.string({description: 'End of the --simulate window.', helpValue: 'TIME', dependsOn: ['simulate']}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<GraphJson> {
    const {args, flags} = await this.parse(Graph)
    const from = parseInstantFlag('from', flags.from)
    const until = parseInstantFlag('until', flags.until)
    // Before the work: a folder or a missing folder is a usage error now, not a crash at the end.
    if (flags.out) await checkOutputPath('--out', flags.out)
    const {resolveJourney} = await import('../core/graph/resolve-journey.js')
    const {journey, config} = await resolveJourney(args.journey, process.cwd(), flags.config)
    const {buildGraph} = await import('../core/graph/build-graph.js')
    let counts: Parameters<typeof buildGraph>[1] = {}
    if (flags.simulate) {
      const {simulateGraphCounts} = await import('../core/graph/graph-stats.js')
      counts = {
        counts: simulateGraphCounts(journey, {
          storePath: storePath(config, flags.store),
          ...(from !== undefined ? {from} : {}),
          ...(until !== undefined ? {until} : {}),
        }),
      }
    }
    const graph = buildGraph(journey, counts)
    let text: string
    if (flags.format === 'mermaid') text = (await import('../core/graph/mermaid.js')).toMermaid(graph)
    else {
      const dot = (await import('../core/graph/dot.js')).toDot(graph)
      text = flags.format === 'svg' ? await (await import('../core/graph/svg.js')).renderSvg(dot) : dot
    }
    if (flags.out) {
      await writeOutputFile('--out', flags.out, text.endsWith('\n') ? text : `${text}\n`)
      if (!this.jsonEnabled()) process.stderr.write(`wrote ${safeText(flags.out)}\n`)
    } else if (!this.jsonEnabled()) this.log(text)
    return {
      format_version: 1,
      journey: journey.id,
      format: flags.format,
      nodes: graph.nodes,
      edges: graph.edges,
      ...(flags.out ? {out: flags.out} : {}),
    }
  }
}
