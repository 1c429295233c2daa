import type {ReplayOutcome} from './replay-customer.js'
import type {Transition} from './transition.js'
import type {CustomerResult, EntryRecord, ExprErrorRecord, TraceEvent} from './types.js'

/**
 * Gathers the transitions of one customer into a CustomerResult per journey: every entry with its
 * path, sends and outcome, the trace and the expression errors. For drivers that look at one
 * customer closely (joe test, simulate --customer, traces); counting drivers aggregate effects
 * directly and never hold this.
 */
export interface ResultCollector {
  add(transition: Transition): void
  /** The results per journey id, for every journey the collector was made for. */
  finish(outcome: ReplayOutcome): Map<string, CustomerResult>
}

export function createCollector(journeyIds: readonly string[]): ResultCollector {
  const collected = new Map<string, {entries: EntryRecord[]; trace: TraceEvent[]; exprErrors: ExprErrorRecord[]}>()
  for (const id of journeyIds) collected.set(id, {entries: [], trace: [], exprErrors: []})
  const entryOf = (journey: string, index: number): EntryRecord | undefined => collected.get(journey)?.entries[index]
  return {
    add(transition) {
      for (const effect of transition.effects) {
        if (effect.kind === 'profile') continue
        const target = collected.get(effect.journey)
        if (target === undefined) continue
        if (effect.kind === 'entered') {
          target.entries[effect.entry] = newEntry(effect.at, effect.group)
          continue
        }
        if (effect.kind === 'expr_error') {
          target.exprErrors.push({
            at: effect.at,
            where: effect.where,
            ...(effect.step === undefined ? {} : {step: effect.step}),
            message: effect.message,
          })
          continue
        }
        const record = entryOf(effect.journey, effect.entry)
        if (record === undefined) continue
        switch (effect.kind) {
          case 'step':
            record.path.push(effect.step)
            break
          case 'branch':
            record.branches.push({stepId: effect.step, case: effect.case, at: effect.at})
            break
          case 'variant':
            record.variants.push({stepId: effect.step, variant: effect.variant, at: effect.at})
            break
          case 'send':
            record.sends.push({
              stepId: effect.step,
              channel: effect.channel,
              template: effect.template,
              at: effect.at,
              data: effect.data,
              profile: effect.profile,
            })
            break
          case 'suppressed':
            record.suppressed.push({stepId: effect.step, reason: effect.reason, at: effect.at})
            break
          case 'deferred':
            record.deferred.push({stepId: effect.step, reason: effect.reason, from: effect.at, to: effect.until})
            break
          case 'converted':
            record.convertedAt = effect.at
            if (record.group === 'treatment') record.outcome = 'converted'
            break
          case 'exited':
            if (effect.reason === 'loop_guard') record.stopped = 'loop_guard'
            record.exitedAt = effect.at
            if (effect.criterion !== undefined) record.exitCriterion = effect.criterion
            if (record.group === 'treatment') record.outcome = record.convertedAt === undefined ? 'exited' : 'converted'
            break
          case 'completed':
            record.completedAt = effect.at
            if (record.group === 'treatment') record.outcome = record.convertedAt === undefined ? 'completed' : 'converted'
            break
          case 'released':
            break
        }
      }
      for (const line of transition.trace) {
        const target = collected.get(line.journey)
        if (target === undefined) continue
        const {journey: _journey, ...event} = line
        target.trace.push(event)
      }
    },
    finish(outcome) {
      const results = new Map<string, CustomerResult>()
      for (const [id, target] of collected) {
        const active = outcome.state.journeys[id]?.active
        if (active !== undefined && active.group === 'treatment' && active.at !== undefined) {
          const record = target.entries[active.index]
          if (record !== undefined) record.waitingAt = active.at
        }
        results.set(id, {
          customerId: outcome.state.customerId,
          entries: target.entries,
          trace: target.trace,
          exprErrors: target.exprErrors,
          profile: outcome.state.profile,
          eventsInWindow: outcome.eventsInWindow,
          ...(outcome.firstEventAt === undefined ? {} : {firstEventAt: outcome.firstEventAt}),
        })
      }
      return results
    },
  }
}

function newEntry(at: number, group: EntryRecord['group']): EntryRecord {
  return {
    enteredAt: at,
    group,
    path: [],
    sends: [],
    suppressed: [],
    deferred: [],
    outcome: group === 'holdout' ? 'held_out' : 'in_flight',
    branches: [],
    variants: [],
  }
}
