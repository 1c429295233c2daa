import {CronExpressionParser} from 'cron-parser'
import {LruCache} from '../../lru.js'
import {parseDuration} from '../duration.js'
import type {YamlPath} from '../source.js'
import {didYouMean} from '../suggest.js'
import {asString, isObject, type Rule, type RuleContext} from './rule-context.js'

/** Every place a duration may be written, as [path, value]. */
function durations(ctx: RuleContext): Array<[YamlPath, unknown]> {
  const raw = ctx.raw
  const out: Array<[YamlPath, unknown]> = []
  if (isObject(raw.reentry)) out.push([['reentry', 'after'], raw.reentry.after])
  if (isObject(raw.goal)) out.push([['goal', 'within'], raw.goal.within])
  if (isObject(raw.settings) && isObject(raw.settings.frequency_cap))
    out.push([['settings', 'frequency_cap', 'per'], raw.settings.frequency_cap.per])
  for (const step of ctx.steps) {
    if (typeof step.value.wait === 'string') out.push([['steps', step.index, 'wait'], step.value.wait])
    if (isObject(step.value.wait_for)) out.push([['steps', step.index, 'wait_for', 'timeout'], step.value.wait_for.timeout])
  }
  return out
}

/** JOE2060: zero and negative durations. */
export const durationRule: Rule = (ctx) => {
  for (const [path, value] of durations(ctx)) {
    if (typeof value !== 'string') continue
    const ms = parseDuration(value)
    if (ms === undefined || ms > 0) continue
    ctx.report({
      code: 'JOE2060',
      severity: 'error',
      message: `duration "${value}" is ${ms === 0 ? 'zero' : 'negative'}`,
      hint:
        ms === 0
          ? 'use a positive duration, or remove the step if there is nothing to wait for'
          : 'durations count forward in time; use a positive value such as 1h',
      path,
    })
  }
}

/**
 * Remembers a pure check of a string: a project repeats the same few zones and cron expressions in
 * hundreds of journeys, and each check builds an Intl formatter or a cron parser (~0.1 ms).
 */
function remembered<T extends NonNullable<unknown> | null>(check: (key: string) => T): (key: string) => T {
  const answers = new LruCache<string, T>(1000)
  return (key) => {
    const known = answers.get(key)
    if (known !== undefined) return known
    const answer = check(key)
    answers.set(key, answer)
    return answer
  }
}

/** Whether `zone` is an IANA time zone this Node knows. */
export const isValidTimeZone = remembered((zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: zone})
    return true
  } catch {
    return false
  }
})

/** Why a five-field cron expression does not parse, or null when it does. */
const cronProblem = remembered((cron: string): string | null => {
  try {
    CronExpressionParser.parse(cron, {strict: false})
    return null
  } catch (error) {
    return `does not parse: ${(error as Error).message}`
  }
})

const COMMON_ZONES = [
  'UTC',
  'profile',
  'Europe/Berlin',
  'Europe/London',
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Australia/Sydney',
]

/** JOE2062 time zones, JOE2063 cron, JOE2064 empty quiet hours. */
export const settingsRule: Rule = (ctx) => {
  const settings = ctx.raw.settings
  if (isObject(settings)) {
    const zone = asString(settings.timezone)
    if (zone !== undefined && zone !== 'profile' && zone !== 'UTC' && !isValidTimeZone(zone)) {
      const zones = typeof Intl.supportedValuesOf === 'function' ? [...COMMON_ZONES, ...Intl.supportedValuesOf('timeZone')] : COMMON_ZONES
      ctx.report({
        code: 'JOE2062',
        severity: 'error',
        message: `"${zone}" is not a known time zone`,
        hint: `${didYouMean(zone, zones)}use UTC, profile (the customer's profile.timezone), or an IANA zone such as Europe/Berlin`,
        path: ['settings', 'timezone'],
      })
    }
    const quiet = settings.quiet_hours
    if (isObject(quiet) && typeof quiet.start === 'string' && quiet.start === quiet.end) {
      ctx.report({
        code: 'JOE2064',
        severity: 'error',
        message: `quiet hours start and end at the same time (${quiet.start})`,
        hint: 'set `end` to when sending may resume, e.g. start "21:00", end "08:00"',
        path: ['settings', 'quiet_hours'],
      })
    }
  }
  const entry = ctx.raw.entry
  if (isObject(entry) && isObject(entry.schedule) && typeof entry.schedule.cron === 'string') {
    const cron = entry.schedule.cron.trim()
    const fields = cron.split(/\s+/).length
    let problem: string | undefined
    if (fields !== 5)
      problem = `has ${fields} field${fields === 1 ? '' : 's'}; standard cron has 5 (minute hour day-of-month month day-of-week)`
    else problem = cronProblem(cron) ?? undefined
    if (problem) {
      ctx.report({
        code: 'JOE2063',
        severity: 'error',
        message: `cron "${cron}" ${problem}`,
        hint: 'e.g. "0 9 * * 1" is every Monday at 09:00 in the journey time zone',
        path: ['entry', 'schedule', 'cron'],
      })
    }
  }
}

/** JOE2020: send templates must be in the config's catalog, when there is one. */
export const templateRule: Rule = (ctx) => {
  const catalog = ctx.config.templates
  if (!catalog) return
  for (const step of ctx.steps) {
    const send = step.value.send
    if (!isObject(send) || typeof send.channel !== 'string' || typeof send.template !== 'string') continue
    const known = catalog[send.channel] ?? []
    if (known.includes(send.template)) continue
    const elsewhere = Object.entries(catalog).find(([, ids]) => ids.includes(send.template as string))?.[0]
    const file = `${ctx.config.templatesDir}/${send.channel}/${send.template}.liquid`
    const add = ctx.config.templateFiles ? `create ${file}` : `add it to templates.${send.channel} in joe.config.yaml`
    ctx.report({
      code: 'JOE2020',
      severity: 'error',
      message: ctx.config.templateFiles
        ? `there is no ${send.channel} template "${send.template}" (no ${file}${ctx.config.templates === ctx.config.templateFiles ? '' : ', and joe.config.yaml does not list it'})`
        : `template "${send.template}" is not in the ${send.channel} catalog of joe.config.yaml`,
      hint: elsewhere
        ? `"${send.template}" is a ${elsewhere} template; change the channel to ${elsewhere}, or ${add}`
        : `${didYouMean(send.template, known)}${known.length > 0 ? `${send.channel} templates are: ${known.join(', ')}` : `the catalog has no ${send.channel} templates`}; or ${add}`,
      path: ['steps', step.index, 'send', 'template'],
    })
  }
}

/** JOE2030/JOE2031: exit or goal on the entry event itself (warnings). */
export const entryEchoRule: Rule = (ctx) => {
  const entry = ctx.raw.entry
  if (!isObject(entry) || typeof entry.event !== 'string') return
  // Only an exact echo is suspicious: the same event with a different `when` is a deliberate choice.
  const echoes = (criterion: Record<string, unknown>) =>
    criterion.event === entry.event && (criterion.when === undefined || criterion.when === entry.when)
  if (Array.isArray(ctx.raw.exit)) {
    ctx.raw.exit.forEach((criterion, i) => {
      if (!isObject(criterion) || !echoes(criterion)) return
      ctx.report({
        code: 'JOE2030',
        severity: 'warning',
        message: `exit on "${entry.event}", the entry event itself: customers leave on their next "${entry.event}"`,
        hint: 'if that is intended (restart on every new event), use `reentry: always` instead; otherwise exit on a different event or add a `when`',
        path: ['exit', i, 'event'],
      })
    })
  }
  if (isObject(ctx.raw.goal) && echoes(ctx.raw.goal)) {
    ctx.report({
      code: 'JOE2031',
      severity: 'warning',
      message: `the goal is "${entry.event}", the entry event itself, so the next "${entry.event}" counts as a conversion`,
      hint: 'make the goal the outcome you want (e.g. order_completed), or add a `when` that tells the two apart',
      path: ['goal', 'event'],
    })
  }
}
