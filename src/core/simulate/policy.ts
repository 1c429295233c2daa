import {parseDuration} from '../journey/duration.js'

export interface MessagePolicy {
  limit: number
  /** Duration text as written in joe.config.yaml, e.g. "7d". */
  per: string
}

export interface PolicyBreach {
  customerId: string
  /** Most messages this customer got inside one window of `per`. */
  messages: number
  /** ISO 8601 start and end of that busiest window (first and last message in it). */
  from: string
  until: string
}

export interface PolicyCheck {
  policy: 'max_messages_per_customer'
  limit: number
  per: string
  ok: boolean
  /** Customers over the limit, sorted by customer id. */
  breaches: PolicyBreach[]
}

/** Tracks, customer by customer, whether anyone gets more than `limit` messages in any window of `per`. */
export function createPolicyChecker(policy: MessagePolicy) {
  const perMs = parseDuration(policy.per) as number
  const breaches: PolicyBreach[] = []
  return {
    /** `sendTimes`: every message the customer got, across all simulated journeys. */
    add(customerId: string, sendTimes: number[]): void {
      if (sendTimes.length <= policy.limit) return
      const times = [...sendTimes].sort((a, b) => a - b)
      let best = {count: 0, start: 0, end: 0}
      let start = 0
      for (let end = 0; end < times.length; end++) {
        // A rolling window: messages within `per` of each other, i.e. (t_end - t_start) < per.
        while ((times[end] as number) - (times[start] as number) >= perMs) start++
        const count = end - start + 1
        if (count > best.count) best = {count, start, end}
      }
      if (best.count > policy.limit) {
        breaches.push({
          customerId,
          messages: best.count,
          from: new Date(times[best.start] as number).toISOString(),
          until: new Date(times[best.end] as number).toISOString(),
        })
      }
    },
    /** The breaches found so far, for merging into another checker (e.g. from a worker thread). */
    breaches(): PolicyBreach[] {
      return [...breaches]
    },
    merge(more: readonly PolicyBreach[]): void {
      breaches.push(...more)
    },
    result(): PolicyCheck {
      breaches.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0))
      return {policy: 'max_messages_per_customer', limit: policy.limit, per: policy.per, ok: breaches.length === 0, breaches}
    },
  }
}
