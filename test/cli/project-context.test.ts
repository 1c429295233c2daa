import {describe, expect, it} from 'vitest'
import {parseInstantFlag} from '../../src/cli/project-context.js'

describe('time flags (--from, --until, --as-of, --start)', () => {
  it('refuse impossible dates instead of rolling them over to March', () => {
    expect(() => parseInstantFlag('from', '2026-02-31')).toThrow(
      expect.objectContaining({
        code: 'JOE4005',
        exitCode: 2,
        message: '--from "2026-02-31" is not a real date or time: February 2026 has 28 days',
      }),
    )
    expect(() => parseInstantFlag('until', '2026-03-01T25:00:00Z')).toThrow(expect.objectContaining({code: 'JOE4005'}))
  })

  it('refuse a date-time without a zone (it would be read in the machine’s zone)', () => {
    expect(() => parseInstantFlag('as-of', '2026-03-01T09:00')).toThrow(
      expect.objectContaining({code: 'JOE4005', message: expect.stringContaining('no time zone')}),
    )
  })

  it('read dates as UTC midnight and date-times with their zone', () => {
    expect(parseInstantFlag('from', '2026-03-01')).toBe(Date.UTC(2026, 2, 1))
    expect(parseInstantFlag('from', '2026-03-01T09:00:00+01:00')).toBe(Date.UTC(2026, 2, 1, 8))
    expect(parseInstantFlag('from', undefined)).toBeUndefined()
  })
})
