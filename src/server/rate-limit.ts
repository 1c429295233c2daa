/** A write key's allowance: `eventsPerSecond` sustained, `burst` at once after a quiet spell. */
export interface RateLimit {
  eventsPerSecond: number
  burst: number
}

/** Whether a request may go on, and if not, when to try again (whole seconds, at least 1: Retry-After). */
export type Admission = {ok: true} | {ok: false; retryAfterSeconds: number}

/** One token bucket per key (the keys are the environment's write keys, so there are few). */
export interface TokenBuckets {
  /** Whether `key` has anything left, taking nothing: refuses a drained key before its body is read. */
  peek(key: string): Admission
  /**
   * Takes `events` tokens if the bucket holds them. A request larger than the bucket itself passes
   * when the bucket is full and leaves it in debt (so a big batch is slowed, never refused forever).
   */
  take(key: string, events: number): Admission
}

/**
 * Token buckets on an injected clock (`now`: epoch ms), so a test can say exactly which request is
 * refused. A bucket starts full; a clock that steps back refills nothing.
 */
export function createTokenBuckets(limit: RateLimit, now: () => number): TokenBuckets {
  const buckets = new Map<string, {tokens: number; at: number}>()
  const refilled = (key: string) => {
    const at = now()
    let bucket = buckets.get(key)
    if (bucket === undefined) {
      bucket = {tokens: limit.burst, at}
      buckets.set(key, bucket)
    } else if (at > bucket.at) {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((at - bucket.at) / 1000) * limit.eventsPerSecond)
      bucket.at = at
    }
    return bucket
  }
  const admit = (tokens: number, need: number): Admission =>
    tokens >= need ? {ok: true} : {ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - tokens) / limit.eventsPerSecond))}
  return {
    peek: (key) => admit(refilled(key).tokens, Math.min(1, limit.burst)),
    take(key, events) {
      const bucket = refilled(key)
      const admission = admit(bucket.tokens, Math.min(events, limit.burst))
      if (admission.ok) bucket.tokens -= events
      return admission
    },
  }
}
