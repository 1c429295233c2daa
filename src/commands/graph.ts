import {Args, Flags} from '@oclif/core'
import {configFlag, instantFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {checkOutputPath, writeOutputFile} from '../cli/output-file.js'
import {GRAPH_FORMATS, type GraphResult} from '../core/graph/draw-journey.js'
import {safeText} from '../ui/safe-text.js'

export default class Graph extends JoeCommand<GraphResult> {
  static override summary = 'Draw a journey as a flowchart (Mermaid, DOT or SVG)'

  static override description =
    `Draws the journey as a flowchart: the entry (with its condition, reentry and holdout), every step with its kind and key settings, edges labelled with branch conditions, split variants, awaited events and timeouts, the end, the exit criteria and the goal.

JOURNEY is a journey id, a journey file, or a folder or glob holding one journey.

--format mermaid (default) prints a Mermaid flowchart, which GitHub and GitLab render in Markdown; dot prints Graphviz DOT; svg renders an SVG with Graphviz compiled to WebAssembly (no browser, no Graphviz install needed). With --json, the drawing is the \`text\` field of the JSON object, in any format.

--simulate replays the event store through the journey (as \`joe simulate\` does) and puts counts on the nodes and edges: entries, arrivals per step, customers per branch case, variant and timeout.`

  static override examples = [
    {description: 'Mermaid, to paste into Markdown', command: '<%= config.bin %> <%= command.id %> cart-abandonment'},
    {description: 'An SVG file', command: '<%= config.bin %> <%= command.id %> journeys/cart.journey.yaml --format svg --out cart.svg'},
    {
      description: 'With customer counts from the event store',
      command: '<%= config.bin %> <%= command.id %> cart-abandonment --simulate --format svg --out cart.svg',
    },
  ]

  static override args = {
    journey: Args.string({description: 'A journey id, a journey file, or a folder or glob holding one journey.', required: true}),
  }

  static override flags = {
    format: Flags.option({char: 'f', description: 'Output format.', options: GRAPH_FORMATS, default: 'mermaid' as const})(),
    out: Flags.string({char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE'}),
    simulate: Flags.boolean({description: 'Put customer counts from a simulation over the event store on the edges.'}),
    store: Flags.string({
      description: 'Event store for --simulate (default: `store` in joe.config.yaml).',
      helpValue: 'PATH',
      dependsOn: ['simulate'],
    }),
    from: instantFlag({description: 'Start of the --simulate window (date or ISO 8601).', dependsOn: ['simulate']}),
    until: instantFlag({description: 'End of the --simulate window.', dependsOn: ['simulate']}),
    config: configFlag,
  }

  async run(): Promise<GraphResult> {
    const {args, flags} = await this.parse(Graph)
    // Before the work: a folder or a missing folder is a usage error now, not a crash at the end.
    if (flags.out) await checkOutputPath('--out', flags.out)
    const {drawJourney} = await import('../core/graph/draw-journey.js')
    const result = await drawJourney({
      cwd: process.cwd(),
      ...(flags.config ? {configPath: flags.config} : {}),
      name: args.journey,
      format: flags.format,
      ...(flags.out ? {out: flags.out} : {}),
      ...(flags.simulate
        ? {
            simulate: {
              ...(flags.store ? {store: flags.store} : {}),
              ...(flags.from !== undefined ? {from: flags.from} : {}),
              ...(flags.until !== undefined ? {until: flags.until} : {}),
            },
          }
        : {}),
    })
    if (result.out !== null) {
      await writeOutputFile('--out', result.out, result.text.endsWith('\n') ? result.text : `${result.text}\n`)
      if (!this.jsonEnabled()) process.stderr.write(`wrote ${safeText(result.out)}\n`)
    } else if (!this.jsonEnabled()) this.log(result.text)
    return result
  }
}
