import {iso} from '../instant.js'
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

/**
 * Tracks, customer by customer, whether anyone gets more than `limit` messages in any window of
 * `per`. A customer's messages come in time order (a replay runs forward), so only those inside
 * the current window are kept: memory does not grow with the messages a customer gets.
 */
export function createPolicyChecker(policy: MessagePolicy) {
  const perMs = parseDuration(policy.per) as number
  const breaches: PolicyBreach[] = []
  let customerId: string | undefined
  let window: number[] = []
  let head = 0
  let best = {count: 0, start: 0, end: 0}
  return {
    /** The next messages belong to this customer. */
    begin(id: string): void {
      customerId = id
      window = []
      head = 0
      best = {count: 0, start: 0, end: 0}
    },
    /** A message the current customer got at `at`, across all simulated journeys (in time order). */
    send(at: number): void {
      window.push(at)
      // A rolling window: messages within `per` of each other, i.e. (t_end - t_start) < per.
      while (at - (window[head] as number) >= perMs) head++
      const count = window.length - head
      if (count > best.count) best = {count, start: window[head] as number, end: at}
      if (head > 1024) {
        window = window.slice(head)
        head = 0
      }
    },
    /** The current customer is done. */
    end(): void {
      if (customerId !== undefined && best.count > policy.limit) {
        breaches.push({customerId, messages: best.count, from: iso(best.start), until: iso(best.end)})
      }
      customerId = undefined
    },
    /** The breaches found so far, for merging into another checker (e.g. from a worker thread). */
    breaches(): PolicyBreach[] {
      return [...breaches]
    },
    merge(more: readonly PolicyBreach[]): void {
      for (const breach of more) breaches.push(breach)
    },
    result(): PolicyCheck {
      breaches.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0))
      return {policy: 'max_messages_per_customer', limit: policy.limit, per: policy.per, ok: breaches.length === 0, breaches}
    },
  }
}
