import {CronExpressionParser} from 'cron-parser'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {createScheduleTicker} from '../../../src/core/engine/schedule.js'
import {t} from './helpers.js'

/** The ticks in [from, to) as cron-parser computes them, one `next()` at a time. */
function libraryTicks(cron: string, zone: string, from: number, to: number): string[] {
  const expression = CronExpressionParser.parse(cron, {currentDate: new Date(from - 1), endDate: new Date(to - 1), tz: zone})
  const ticks: string[] = []
  while (expression.hasNext()) {
    const at = expression.next().getTime()
    if (at >= to) break
    ticks.push(new Date(at).toISOString())
  }
  return ticks
}

function tickerTicks(cron: string, zone: string, from: number, to: number): string[] {
  const ticker = createScheduleTicker(cron)
  const ticks: string[] = []
  for (let at = ticker.next(zone, from); at !== undefined && at < to; at = ticker.next(zone, at + 1)) ticks.push(new Date(at).toISOString())
  return ticks
}

const EXPRESSIONS = [
  '0 9 * * 1',
  '30 2 * * *',
  '*/30 1-3 * * *',
  '0 9 13 * 5',
  '5,35 */4 * * 1-5',
  '0 0 29 2 *',
  '0 9 1-7 * 1',
  '15 10 L * *',
  '0 12 * 6 0',
  '45 23 * * *',
  '0 0 1 1 *',
  '0 9 * * MON#2',
]
// Australia/Lord_Howe (30-minute DST) is checked by hand below: cron-parser misses days there.
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago']
/** Windows around 2026's DST changes in those zones, and plain weeks. */
const WINDOWS = [
  ['2026-03-27T00:00:00Z', '2026-04-02T00:00:00Z'],
  ['2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z'],
  ['2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'],
  ['2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z'],
  ['2026-09-25T00:00:00Z', '2026-09-29T00:00:00Z'],
  ['2027-12-30T00:00:00Z', '2028-03-02T00:00:00Z'],
] as const

describe('schedule ticker', () => {
  it('gives exactly the cron library ticks around DST changes, in every kind of zone', () => {
    for (const cron of EXPRESSIONS)
      for (const zone of ZONES)
        for (const [from, to] of WINDOWS) {
          expect(tickerTicks(cron, zone, t(from), t(to)), `${cron} in ${zone} from ${from}`).toEqual(
            libraryTicks(cron, zone, t(from), t(to)),
          )
        }
  })

  it('agrees with the cron library from any instant (property; seed fixed)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPRESSIONS, '*/7 * * * *'),
        fc.constantFrom(...ZONES),
        fc.integer({min: t('2026-01-01T00:00:00Z'), max: t('2028-12-31T00:00:00Z')}),
        (cron, zone, from) => {
          const to = from + 3 * 86_400_000
          expect(tickerTicks(cron, zone, from, to)).toEqual(libraryTicks(cron, zone, from, to))
        },
      ),
      {numRuns: 60, seed: 20261201},
    )
  })

  it('ticks every matching local day in a zone whose DST shifts by 30 minutes (Lord Howe Island)', () => {
    // DST ends there on Sunday 2026-04-05 at 02:00 (+11:00 -> +10:30). `1-7` or Monday: the 4th, 5th, 6th and 7th at 09:00.
    expect(tickerTicks('0 9 1-7 * 1', 'Australia/Lord_Howe', t('2026-04-03T00:00:00Z'), t('2026-04-07T00:00:00Z'))).toEqual([
      '2026-04-03T22:00:00.000Z',
      '2026-04-04T22:30:00.000Z',
      '2026-04-05T22:30:00.000Z',
      '2026-04-06T22:30:00.000Z',
    ])
    // 01:45 happens twice on that day (02:00 -> 01:30): once, at its first occurrence (+11:00).
    expect(tickerTicks('45 1 * * *', 'Australia/Lord_Howe', t('2026-04-04T13:00:00Z'), t('2026-04-05T13:00:00Z'))).toEqual([
      '2026-04-04T14:45:00.000Z',
    ])
    // DST starts on Sunday 2026-10-04 at 02:00 (+10:30 -> +11:00): 02:15 does not exist and moves to 02:45.
    expect(tickerTicks('15 2 * * *', 'Australia/Lord_Howe', t('2026-10-03T13:00:00Z'), t('2026-10-04T13:00:00Z'))).toEqual([
      '2026-10-03T15:45:00.000Z',
    ])
  })

  it('never truncates: a minute cron over more than two years has every minute', () => {
    const from = t('2026-01-01T00:00:00Z')
    const until = t('2028-04-01T00:00:00Z')
    const ticker = createScheduleTicker('* * * * *')
    let count = 0
    let last = 0
    for (let at = ticker.next('Europe/Berlin', from); at !== undefined && at <= until; at = ticker.next('Europe/Berlin', at + 1)) {
      count++
      last = at
    }
    // Every minute from the first to the last, inclusive; Berlin's DST changes skip or repeat no UTC minute.
    expect(count).toBe((until - from) / 60_000 + 1)
    expect(last).toBe(until)
  })

  it('finds the next tick of a sparse schedule far ahead, and none for one that never fires', () => {
    const ticker = createScheduleTicker('0 0 29 2 *')
    expect(new Date(ticker.next('UTC', t('2026-03-01T00:00:00Z')) as number).toISOString()).toBe('2028-02-29T00:00:00.000Z')
    expect(createScheduleTicker('0 0 31 2 *').next('UTC', t('2026-01-01T00:00:00Z'))).toBeUndefined()
  })
})
