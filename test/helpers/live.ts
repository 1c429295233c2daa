import {observeLedger} from '../../src/core/runtime/activations.js'
import type {OpenRuntime} from '../../src/core/runtime/open-runtime.js'
import {createMachineCache, dispatchEvents, processBatch} from '../../src/core/runtime/worker.js'

/** Runs the worker's rounds (as its loop does) until there is nothing left to do at the current time. */
export async function drainWorker(runtime: OpenRuntime, worker = 'test'): Promise<{customers: number; sends: number}> {
  const machines = createMachineCache(runtime.ctx.env)
  const total = {customers: 0, sends: 0}
  for (;;) {
    await observeLedger(runtime.ctx)
    const dispatched = await dispatchEvents(runtime.ctx)
    const batch = await processBatch(runtime.ctx, machines, {limit: 200, worker})
    total.customers += batch.customers
    total.sends += batch.sends
    if (dispatched === 0 && batch.customers === 0) return total
  }
}
