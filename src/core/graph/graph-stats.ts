import type {Journey} from '../journey/model.js'
import {END} from '../journey/model.js'
import {simulate} from '../simulate/simulate.js'
import type {GraphCounts} from './build-graph.js'

/**
 * Edge and node counts for `joe graph --simulate`: the journey replayed over the store
 * with the same engine as `joe simulate`. Moves between consecutive steps are counted
 * from each entry's path; a completed entry's last step leads to `end`. Every count is of
 * entries (re-entries included, holdouts left out), so the numbers on a graph add up.
 */
export function simulateGraphCounts(journey: Journey, options: {storePath: string; from?: number; until?: number}): GraphCounts {
  const transitions: Record<string, number> = {}
  const bump = (key: string) => {
    transitions[key] = (transitions[key] ?? 0) + 1
  }
  let entries = 0
  const outcomes = {completed: 0, exited: 0, converted: 0}
  const result = simulate({
    journeys: [journey],
    storePath: options.storePath,
    ...(options.from !== undefined ? {from: options.from} : {}),
    ...(options.until !== undefined ? {until: options.until} : {}),
    onResult: (_id, customer) => {
      for (const entry of customer.entries) {
        if (entry.group === 'holdout') continue
        entries++
        if (entry.outcome === 'completed' || entry.outcome === 'exited' || entry.outcome === 'converted') outcomes[entry.outcome]++
        const [first] = entry.path
        if (first !== undefined) bump(`entry>${first}`)
        for (let i = 1; i < entry.path.length; i++) bump(`${entry.path[i - 1]}>${entry.path[i]}`)
        const last = entry.path[entry.path.length - 1]
        if (last !== undefined && entry.completedAt !== undefined) bump(`${last}>${END}`)
      }
    },
  })
  const report = result.reports[0]
  return {
    entries,
    steps: Object.fromEntries(Object.entries(report?.steps ?? {}).map(([id, s]) => [id, s.entered])),
    branches: report?.branches ?? {},
    variants: report?.variants ?? {},
    transitions,
    ...outcomes,
  }
}
