import type {DeliveryOutcome, OutboxMessage} from '../connectors/connector.js'
import type {ChannelDelivery} from '../connectors/create-connectors.js'
import {BEGINNING_OF_TIME} from '../engine/machine.js'
import {iso} from '../instant.js'
import {observeLedger} from './activations.js'
import type {RuntimeContext} from './context.js'
import {claimMessages, type DeliveryRecord, recordDeliveries} from './outbox.js'
import {type BatchResult, createMachineCache, dispatchEvents, processBatch} from './worker.js'

/** Structured log lines of the loops (pino's interface). */
export interface RuntimeLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

/** A loop's sleep that ends early when work arrives. */
export interface Wakeup {
  /** Ends the current sleep (work arrived). */
  notify(): void
  /** Sleeps at most `ms`, or until notified. */
  sleep(ms: number): Promise<void>
}

export function createWakeup(): Wakeup {
  let pending = false
  let wake: (() => void) | undefined
  return {
    notify() {
      pending = true
      wake?.()
    },
    sleep(ms) {
      if (pending) {
        pending = false
        return Promise.resolve()
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          wake = undefined
          pending = false
          resolve()
        }
        wake = done
      })
    },
  }
}

export interface LoopOptions {
  /** Sleep between polls when idle (ms). */
  pollMs: number
  /** Customers per worker transaction. */
  batchSize: number
  /** This process's name among the environment's workers. */
  worker: string
  log: RuntimeLog
  /** Called after each batch that did something (metrics, tests). */
  onBatch?: (batch: BatchResult) => void
}

/** A loop that runs until stopped; `stop()` lets the transaction in hand finish. */
export interface RunningLoop {
  /** Whether the last round succeeded (readiness). */
  readonly healthy: boolean
  stop(): Promise<void>
}

/**
 * The worker: picks up deploys (as activations), marks the customers of new events, and moves
 * customers through the engine batch by batch while there is work; then sleeps until new events
 * wake it or the poll interval passes (timers come due with the clock).
 */
export function startWorkerLoop(ctx: RuntimeContext, wakeup: Wakeup, options: LoopOptions & {onSends?: () => void}): RunningLoop {
  const machines = createMachineCache(ctx.env)
  return runLoop('worker', wakeup, options, async () => {
    const observed = await observeLedger(ctx)
    if (observed) {
      const since = observed.since === BEGINNING_OF_TIME ? 'the beginning' : iso(observed.since)
      options.log.info({journeys: observed.journeys, since}, 'activations recorded')
    }
    const dispatched = await dispatchEvents(ctx)
    const batch = await processBatch(ctx, machines, {limit: options.batchSize, worker: options.worker})
    if (batch.customers > 0) options.onBatch?.(batch)
    if (batch.sends > 0) options.onSends?.()
    if (batch.errors > 0) options.log.warn({errors: batch.errors}, 'inputs the engine failed on were recorded and skipped')
    return dispatched > 0 || batch.customers > 0
  })
}

/**
 * Runs `round` until stopped: again at once while it finds work, else after the poll interval or
 * a wakeup; a failing round (the store unreachable, say) is logged and retried with backoff.
 */
function runLoop(name: string, wakeup: Wakeup, options: LoopOptions, round: () => Promise<boolean>, afterStop?: () => void): RunningLoop {
  let stopping = false
  let healthy = true
  const done = (async () => {
    let failures = 0
    while (!stopping) {
      let busy: boolean
      try {
        busy = await round()
        healthy = true
        failures = 0
      } catch (error) {
        healthy = false
        failures++
        options.log.error({err: error}, `${name} round failed; retrying`)
        await wakeup.sleep(Math.min(5_000, options.pollMs * 2 ** Math.min(failures, 5)))
        continue
      }
      if (!busy) await wakeup.sleep(options.pollMs)
    }
  })()
  return {
    get healthy() {
      return healthy
    },
    async stop() {
      stopping = true
      wakeup.notify()
      await done
      afterStop?.()
    },
  }
}

/** Messages delivered side by side, per round. */
const DELIVERY_CONCURRENCY = 16

/**
 * Delivery: takes due messages from the outbox, hands each to its channel's connector, and records
 * what happened (sent, retried later with backoff, or a dead letter after its last attempt).
 */
export function startDeliveryLoop(
  ctx: RuntimeContext,
  channels: ReadonlyMap<string, ChannelDelivery>,
  wakeup: Wakeup,
  options: LoopOptions & {onDelivery?: (record: DeliveryRecord, ms: number) => void},
): RunningLoop {
  const abort = new AbortController()
  const deliverOne = async (message: OutboxMessage): Promise<DeliveryRecord> => {
    const channel = channels.get(message.channel)
    const started = performance.now()
    let outcome: DeliveryOutcome
    if (channel === undefined) {
      outcome = {
        status: 'failed',
        error: `environment "${ctx.env}" has no connector for channel ${message.channel}: add channels.${message.channel} to it`,
      }
    } else {
      try {
        outcome = await channel.connector.deliver(message, abort.signal)
      } catch (error) {
        outcome = {status: 'retry', error: `connector ${channel.connector.kind} failed: ${(error as Error).message}`}
      }
    }
    const record = {message, outcome, maxAttempts: channel?.maxAttempts ?? 1}
    const ms = performance.now() - started
    options.log.info(
      {
        outbox_id: message.id,
        customer_id: message.customerId,
        journey: message.journeyId,
        channel: message.channel,
        template: message.template,
        attempt: message.attempt,
        status: outcome.status,
        ms: Math.round(ms),
        ...(outcome.status === 'sent' ? {} : {error: outcome.error}),
      },
      'delivery',
    )
    options.onDelivery?.(record, ms)
    return record
  }
  return runLoop(
    'delivery',
    wakeup,
    options,
    async () => {
      let delivered = 0
      const messages = await claimMessages(ctx, DELIVERY_CONCURRENCY * 4)
      for (let i = 0; i < messages.length; i += DELIVERY_CONCURRENCY) {
        const records = await Promise.all(messages.slice(i, i + DELIVERY_CONCURRENCY).map(deliverOne))
        await recordDeliveries(ctx, records)
        delivered += records.length
      }
      return delivered > 0
    },
    () => abort.abort(),
  )
}
