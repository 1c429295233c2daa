import {parse} from 'yaml'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import type {CustomerEvent, CustomerResult, RunOptions} from '../../../src/core/engine/types.js'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import type {RawObject} from '../../../src/core/journey/rules/rule-context.js'

/** A journey model from inline YAML; `version`, `id` and `name` are filled in when missing. */
export function journey(yaml: string): Journey {
  const raw = parse(yaml) as RawObject
  return buildJourney({version: 1, id: 'test-journey', name: 'Test journey', ...raw})
}

/** Epoch ms of an ISO 8601 time. */
export function t(text: string): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new Error(`bad time ${text}`)
  return ms
}

export function ev(type: string, at: string, properties: Record<string, unknown> = {}): CustomerEvent {
  return {type, timestamp: t(at), properties}
}

export interface RunInput {
  events: CustomerEvent[]
  until: string
  from?: string
  customerId?: string
  profile?: Record<string, unknown>
  options?: Omit<RunOptions, 'until' | 'from'>
}

export function run(j: Journey, input: RunInput): CustomerResult {
  return runCustomer(
    j,
    {customerId: input.customerId ?? 'c1', events: input.events, ...(input.profile ? {profile: input.profile} : {})},
    {until: t(input.until), ...(input.from ? {from: t(input.from)} : {}), ...input.options},
  )
}

/** ISO text of epoch ms, for readable assertions. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

/** Sends of every entry as `template@iso`. */
export function sendsOf(result: CustomerResult): string[] {
  return result.entries.flatMap((e) => e.sends.map((s) => `${s.template}@${iso(s.at)}`))
}
