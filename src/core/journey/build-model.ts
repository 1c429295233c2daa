import {parseDuration, parseTimeOfDay} from './duration.js'
import {type Channel, END, type ExitCriterion, type Journey, type Reentry, type Settings, type Step, type Weekday} from './model.js'
import {isObject, type RawObject} from './rules/rule-context.js'

const ms = (text: unknown): number => parseDuration(String(text)) as number

/**
 * Turns a raw journey document that passed schema and rules into the model.
 * Calling it on a document with errors is a bug: it trusts the shape.
 */
export function buildJourney(raw: RawObject): Journey {
  const steps = (raw.steps as RawObject[]).map((step, i, all) => buildStep(step, (all[i + 1]?.id as string | undefined) ?? END))
  const goal = isObject(raw.goal) ? raw.goal : undefined
  const journey: Journey = {
    version: 1,
    id: raw.id as string,
    name: raw.name as string,
    ...(typeof raw.description === 'string' ? {description: raw.description} : {}),
    ...(typeof raw.owner === 'string' ? {owner: raw.owner} : {}),
    tags: Array.isArray(raw.tags) ? (raw.tags as string[]) : [],
    entry: buildEntry(raw.entry as RawObject),
    reentry: buildReentry(raw.reentry),
    exit: Array.isArray(raw.exit) ? (raw.exit as RawObject[]).map(buildExit) : [],
    ...(goal
      ? {
          goal: {
            event: goal.event as string,
            ...(typeof goal.when === 'string' ? {when: goal.when} : {}),
            ...(goal.within !== undefined ? {withinMs: ms(goal.within)} : {}),
            exit: goal.exit !== false,
          },
        }
      : {}),
    settings: buildSettings(isObject(raw.settings) ? raw.settings : {}),
    steps,
    moved: isObject(raw.moved) ? (raw.moved as Record<string, string>) : {},
  }
  return journey
}

function buildEntry(entry: RawObject): Journey['entry'] {
  if (typeof entry.event === 'string')
    return {kind: 'event', event: entry.event, ...(typeof entry.when === 'string' ? {when: entry.when} : {})}
  if (typeof entry.segment === 'string') return {kind: 'segment', segment: entry.segment}
  const schedule = entry.schedule as RawObject
  return {
    kind: 'schedule',
    cron: (schedule.cron as string).trim(),
    ...(typeof schedule.audience === 'string' ? {audience: schedule.audience} : {}),
  }
}

function buildReentry(reentry: unknown): Reentry {
  if (reentry === 'always') return {kind: 'always'}
  if (isObject(reentry)) return {kind: 'after', afterMs: ms(reentry.after)}
  return {kind: 'never'}
}

function buildExit(criterion: RawObject): ExitCriterion {
  if (typeof criterion.event === 'string')
    return {kind: 'event', event: criterion.event, ...(typeof criterion.when === 'string' ? {when: criterion.when} : {})}
  return {kind: 'profile', when: criterion.when as string}
}

function buildSettings(settings: RawObject): Settings {
  const quiet = isObject(settings.quiet_hours) ? settings.quiet_hours : undefined
  const cap = isObject(settings.frequency_cap) ? settings.frequency_cap : undefined
  return {
    timezone: typeof settings.timezone === 'string' ? settings.timezone : 'UTC',
    ...(quiet
      ? {
          quietHours: {
            start: quiet.start as string,
            end: quiet.end as string,
            startMinute: parseTimeOfDay(quiet.start as string) as number,
            endMinute: parseTimeOfDay(quiet.end as string) as number,
          },
        }
      : {}),
    ...(cap ? {frequencyCap: {limit: cap.limit as number, perMs: ms(cap.per)}} : {}),
    holdout: typeof settings.holdout === 'number' ? settings.holdout : 0,
    ...(typeof settings.consent === 'string' ? {consent: settings.consent} : {}),
  }
}

function buildStep(raw: RawObject, following: string): Step {
  const common = {
    id: raw.id as string,
    ...(typeof raw.name === 'string' ? {name: raw.name} : {}),
    ...(typeof raw.description === 'string' ? {description: raw.description} : {}),
    next: typeof raw.next === 'string' ? raw.next : following,
    nextExplicit: typeof raw.next === 'string',
  }
  if (raw.wait !== undefined) {
    if (typeof raw.wait === 'string') return {...common, kind: 'wait', wait: {kind: 'duration', ms: ms(raw.wait)}}
    const until = raw.wait as RawObject
    return {
      ...common,
      kind: 'wait',
      wait: {
        kind: 'until',
        time: until.until as string,
        minute: parseTimeOfDay(until.until as string) as number,
        ...(Array.isArray(until.days) ? {days: until.days as Weekday[]} : {}),
      },
    }
  }
  if (isObject(raw.wait_for)) {
    const w = raw.wait_for
    return {
      ...common,
      kind: 'wait_for',
      event: w.event as string,
      ...(typeof w.when === 'string' ? {when: w.when} : {}),
      timeoutMs: ms(w.timeout),
      onTimeout: w.on_timeout as string,
    }
  }
  if (isObject(raw.branch)) {
    const b = raw.branch
    return {
      ...common,
      kind: 'branch',
      cases: (b.cases as RawObject[]).map((c) => ({when: c.when as string, next: c.next as string})),
      else: b.else as string,
    }
  }
  if (Array.isArray(raw.split)) {
    return {
      ...common,
      kind: 'split',
      variants: (raw.split as RawObject[]).map((v) => ({
        variant: v.variant as string,
        percent: v.percent as number,
        next: v.next as string,
      })),
    }
  }
  if (isObject(raw.send)) {
    const s = raw.send
    return {
      ...common,
      kind: 'send',
      channel: s.channel as Channel,
      template: s.template as string,
      data: isObject(s.data) ? (s.data as Record<string, string>) : {},
    }
  }
  return {...common, kind: 'update', set: (raw.update as RawObject).set as Record<string, string>}
}
