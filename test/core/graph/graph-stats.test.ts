import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildGraph} from '../../../src/core/graph/build-graph.js'
import {simulateGraphCounts} from '../../../src/core/graph/graph-stats.js'
import {toMermaid} from '../../../src/core/graph/mermaid.js'
import {writeGeneratedEvents} from '../../../src/core/store/generate-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {tempProject} from '../../helpers/temp-project.js'
import {BASE, load} from '../diff/helpers.js'
import {parseMermaid} from './mermaid-parse.js'

describe('joe graph --simulate counts', () => {
  it('puts entries, arrivals and per-edge counts on the graph, and they add up', async () => {
    const storePath = path.join(await tempProject({}), 'events.db')
    const store = openEventStore(storePath)
    writeGeneratedEvents(store, {customers: 300, days: 14, seed: 11, start: Date.UTC(2026, 2, 1), now: 0})
    store.close()
    const journey = load(BASE)
    const counts = simulateGraphCounts(journey, {storePath})
    const graph = buildGraph(journey, {counts})
    expect(counts.entries).toBeGreaterThan(10)
    for (const node of graph.nodes.filter((n) => n.step !== undefined)) {
      // Every arrival at a step came along exactly one edge into it.
      const incoming = graph.edges.filter((e) => e.to === node.id).reduce((sum, e) => sum + (e.count ?? 0), 0)
      expect(incoming, node.id).toBe(node.count)
      const outgoing = graph.edges.filter((e) => e.from === node.id).reduce((sum, e) => sum + (e.count ?? 0), 0)
      expect(outgoing, node.id).toBeLessThanOrEqual(node.count ?? 0)
    }
    const route = graph.edges.filter((e) => e.from === 'step:route')
    expect(route.map((e) => e.count)).toEqual([counts.branches.route?.['0'], counts.branches.route?.else])
    const text = toMermaid(graph)
    expect(text).toMatch(/-->\|"else: \d+"\|/)
    await expect(parseMermaid(text)).resolves.toBeTruthy()
  })
})
