// `joe clock`: show an environment's clock, or move its manual clock to a time or by a duration.
import {JoeError} from '../errors.js'
import {describeInstantProblem, parseInstant} from '../instant.js'
import {parseDuration} from '../journey/duration.js'
import {type ClockResult, type RuntimeContext, readClock, setManualClock} from './context.js'

export const CLOCK_ACTIONS = ['show', 'set', 'advance'] as const
export type ClockAction = (typeof CLOCK_ACTIONS)[number]

/**
 * Runs a `joe clock` action: `show`, `set TIME` (an ISO 8601 time or a date) or `advance DURATION`
 * (2h, 1d, PT90M). Returns the clock afterwards. JOE7013 for a missing or bad value, JOE7014 when a
 * manual clock that was never set is advanced, and setManualClock's errors (JOE7010, JOE7011).
 */
export async function changeClock(ctx: RuntimeContext, action: ClockAction, value: string | undefined): Promise<ClockResult> {
  if (action === 'show') return readClock(ctx)
  if (value === undefined) {
    throw new JoeError('JOE7013', `\`joe clock ${action}\` needs a ${action === 'set' ? 'time' : 'duration'}`, {
      hint: action === 'set' ? `e.g. joe clock --env ${ctx.env} set 2026-03-02T09:00:00Z` : `e.g. joe clock --env ${ctx.env} advance 2h`,
      exitCode: 2,
    })
  }
  await setManualClock(ctx, action === 'set' ? timeOf(value) : (await clockNow(ctx)) + durationOf(value))
  return readClock(ctx)
}

function timeOf(value: string): number {
  const at = parseInstant(value)
  if (typeof at === 'number') return at
  throw new JoeError('JOE4005', `the time "${value}" ${describeInstantProblem(at)}`, {
    hint: 'e.g. 2026-03-01 or 2026-03-01T09:00:00Z',
    exitCode: 2,
  })
}

function durationOf(value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined || ms <= 0)
    throw new JoeError('JOE7013', `"${value}" is not a duration`, {hint: 'e.g. 90m, 2h, 1d or PT2H', exitCode: 2})
  return ms
}

async function clockNow(ctx: RuntimeContext): Promise<number> {
  const {now} = await readClock(ctx)
  if (now === null) {
    throw new JoeError('JOE7014', `the manual clock of "${ctx.env}" was never set, so it cannot advance`, {
      hint: 'set it first (`joe clock --env NAME set TIME`), or send events: it starts at the first one',
    })
  }
  return Date.parse(now)
}
