import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildGraph} from '../../../src/core/graph/build-graph.js'
import {toDot} from '../../../src/core/graph/dot.js'
import {escapeMermaid, toMermaid} from '../../../src/core/graph/mermaid.js'
import {renderSvg} from '../../../src/core/graph/svg.js'
import {BASE, load} from '../diff/helpers.js'
import {parseMermaid} from './mermaid-parse.js'

const root = path.resolve(import.meta.dirname, '../../..')
const files = ['templates', 'examples/journeys'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.journey.yaml'))
    .map((f) => path.join(dir, f)),
)

describe('buildGraph', () => {
  it('has entry, steps with settings, labelled edges, end, exit and goal', () => {
    const graph = buildGraph(load(BASE))
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'entry',
      'step:wait-1h',
      'step:route',
      'step:email-1',
      'step:sms-1',
      'step:wait-buy',
      'step:offer',
      'step:email-2',
      'end',
      'exit',
      'goal',
    ])
    expect(graph.nodes.find((n) => n.id === 'step:email-1')?.lines).toEqual(['send email: t1'])
    expect(graph.nodes.find((n) => n.id === 'entry')?.lines).toEqual([
      'on cart_updated',
      'when event.properties.cart_value > 50',
      'holdout 10%',
    ])
    expect(graph.edges.map((e) => `${e.from} -> ${e.to}${e.label ? ` [${e.label}]` : ''}`)).toEqual([
      'entry -> step:wait-1h',
      'step:wait-1h -> step:route',
      'step:route -> step:email-1 [when profile.email_opt_in == true]',
      'step:route -> step:sms-1 [else]',
      'step:email-1 -> step:wait-buy',
      'step:sms-1 -> step:wait-buy',
      'step:wait-buy -> end [order_completed]',
      'step:wait-buy -> step:offer [timeout 2d]',
      'step:offer -> end [a 50%]',
      'step:offer -> step:email-2 [b 50%]',
      'step:email-2 -> end',
      'entry -> exit [any time]',
      'entry -> goal [any time]',
    ])
  })
})

describe('toMermaid', () => {
  it('escapes quotes, brackets, pipes, angle brackets, ampersands, hashes and backticks', () => {
    expect(escapeMermaid('a "b" | <c> & #d `e`')).toBe('a #quot;b#quot; #124; #lt;c#gt; #amp; #35;d #96;e#96;')
  })

  it.each(files)('parses for %s, with highlights', async (file) => {
    const journey = load(readFileSync(path.join(root, file), 'utf8'))
    const [first, second] = journey.steps
    const text = toMermaid(
      buildGraph(journey, {
        changes: {added: new Set([first?.id ?? '']), changed: new Set([second?.id ?? '']), removed: journey.steps.slice(0, 1)},
      }),
    )
    expect(text).toContain('classDef changed')
    expect(text).toMatch(/class s_\S+ added/)
    await expect(parseMermaid(text)).resolves.toBeTruthy()
  })

  it('parses labels full of CEL punctuation and a step named end-like', async () => {
    const journey = load(`version: 1
id: tricky
name: "Tricky \\"quotes\\" [and] {braces} | pipes"
entry: { event: e, when: "event.properties.a == \\"x|y\\" && event.properties.b != 'q' || has(event.properties.c)" }
steps:
  - id: graph
    name: "a <b> & #c; \`d\`"
    branch: { cases: [{ when: "profile.tags.exists(t, t == \\"[vip]\\")", next: end-1 }], else: end-1 }
  - { id: end-1, send: { channel: email, template: "x" } }
`)
    const text = toMermaid(buildGraph(journey))
    expect(text).not.toContain('"x|y"')
    await expect(parseMermaid(text)).resolves.toBeTruthy()
    await expect(parseMermaid('flowchart TD\n  a -->|"x|y"| b["unclosed]')).rejects.toThrow()
  })
})

describe('toDot and SVG', () => {
  it('renders every template to SVG without a browser or a dot binary', async () => {
    for (const file of files) {
      const dot = toDot(buildGraph(load(readFileSync(path.join(root, file), 'utf8'))))
      expect(dot).toMatch(/^digraph "/)
      const svg = await renderSvg(dot)
      expect(svg).toContain('<svg')
      expect(svg).toContain('entry')
    }
  })

  it('escapes DOT strings', () => {
    const journey = load(`${BASE}`.replace('name: Cart', 'name: "Cart \\"big\\" \\\\ one"'))
    expect(toDot(buildGraph(journey))).toContain('label="Cart \\"big\\" \\\\ one"')
  })
})
