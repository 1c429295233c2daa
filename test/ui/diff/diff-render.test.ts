import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runDiff} from '../../../src/core/diff/run-diff.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {MARKDOWN_MARKER, mdCode, mdText, renderDiffMarkdown} from '../../../src/ui/diff/diff-markdown.js'
import {renderDiffText} from '../../../src/ui/diff/diff-text.js'
import {BASE} from '../../core/diff/helpers.js'
import {parseMermaid} from '../../core/graph/mermaid-parse.js'
import {tempProject} from '../../helpers/temp-project.js'

const NEW = `${BASE.replace('name: Cart', 'name: "Cart | recovery"')
  .replace('profile.email_opt_in == true', "profile.email_opt_in == true || profile.tier == 'gold|vip'")
  .replace('template: t1', 'template: t1-v2')
  .replace('  - { id: wait-1h, wait: 1h }\n', '')}`

async function fixture(withImpact: boolean) {
  const cwd = await tempProject({'old/cart.journey.yaml': BASE, 'new/cart.journey.yaml': NEW})
  let storePath: string | undefined
  if (withImpact) {
    storePath = path.join(cwd, 'events.db')
    const store = openEventStore(storePath)
    writeGeneratedEvents(store, {customers: 200, days: 10, seed: 3, start: Date.UTC(2026, 2, 1), now: 0})
    store.close()
  }
  return runDiff({cwd, names: ['old/cart.journey.yaml', 'new/cart.journey.yaml'], ...(storePath ? {impact: {storePath}} : {})})
}

/** Cells of a Markdown table row, splitting on unescaped pipes only. */
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1)

describe('renderDiffMarkdown', () => {
  it('has the marker, a summary table, details per journey, and Mermaid that parses', async () => {
    const {result, versions} = await fixture(true)
    const md = renderDiffMarkdown(result, versions)
    expect(md.split('\n')[0]).toBe(MARKDOWN_MARKER)
    expect(md).toContain('> [!WARNING]')
    const lines = md.split('\n')
    const header = lines.findIndex((l) => l.startsWith('| journey |'))
    expect(cells(lines[header] as string)).toHaveLength(6)
    expect(cells(lines[header + 2] as string)).toHaveLength(6)
    expect(lines[header + 2]).toContain('[`cart`](#journey-cart)')
    // Every table row keeps its column count, whatever pipes the values hold.
    let columns = 0
    for (const line of lines) {
      if (!line.startsWith('|')) {
        columns = 0
        continue
      }
      if (columns === 0) columns = cells(line).length
      expect(cells(line), line).toHaveLength(columns)
    }
    expect(md).toContain('- 🔴 **breaking in flight** — step wait-1h removed')
    expect(md).toContain('step email-1: send.template: `t1 → t1-v2`')
    expect(md).toMatch(/customers take a different path/)
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1] as string)
    expect(blocks).toHaveLength(1)
    const [graph] = blocks as [string]
    expect(graph).toContain('class s_route,s_email_1 changed')
    expect(graph).toContain('class r_wait_1h removed')
    expect(graph).toContain('profile.email_opt_in == true #124;#124; profile.tier')
    await expect(parseMermaid(graph)).resolves.toBeTruthy()
  })

  it('says so when nothing changed', async () => {
    const cwd = await tempProject({'a.journey.yaml': BASE, 'b.journey.yaml': `# only a comment\n${BASE}`})
    const {result, versions} = await runDiff({cwd, names: ['a.journey.yaml', 'b.journey.yaml']})
    expect(result.changed).toBe(false)
    expect(renderDiffMarkdown(result, versions)).toBe(`${MARKDOWN_MARKER}\n## Journey changes\n\nNo journey changes (1 compared).`)
  })

  it('escapes table text and code spans', () => {
    expect(mdText('a | b <c> & d\ne')).toBe('a \\| b &lt;c&gt; &amp; d e')
    expect(mdCode('x `y` | z')).toBe('``x `y` \\| z``')
  })
})

describe('renderDiffText', () => {
  it('lists operations with their class, the impact and a summary line', async () => {
    const {result} = await fixture(true)
    const text = renderDiffText(result, {color: false})
    expect(text).toContain('cart  old/cart.journey.yaml → new/cart.journey.yaml  1 breaking in flight, 3 behaviour, 1 cosmetic')
    expect(text).toContain('  ✖ step wait-1h removed  was { wait: 1h, next: route }')
    expect(text).toContain('  ● step email-1: send.template  t1 → t1-v2')
    expect(text).toContain('  ○ journey name  Cart → "Cart | recovery"')
    expect(text).toContain('  ● entry.start  wait-1h → route')
    expect(text).toMatch(/impact simulated .* → .*, old and new over the same events/)
    expect(text).toMatch(/paths +\d+ of \d+ customers take a different path/)
    expect(text.split('\n').at(-1)).toBe('1 of 1 journey changed: 1 breaking in flight, 3 behaviour, 1 cosmetic')
    expect(text).not.toContain('\u001b[')
  })
})
