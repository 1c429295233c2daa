import {describe, expect, it} from 'vitest'
import type {OutboxMessage} from '../../src/core/connectors/connector.js'
import type {StoreGauges} from '../../src/core/runtime/store-gauges.js'
import {createServeMetrics} from '../../src/server/metrics.js'
import {samples, sampleValue} from '../helpers/metrics.js'

const GAUGES: StoreGauges = {lagSeconds: 1.5, overdueCustomers: 2, overdueSeconds: 30, outboxPending: 4, deadLetters: 5}

const message = (channel: OutboxMessage['channel'], attempt: number): OutboxMessage => ({
  id: 1,
  idempotencyKey: 'k',
  env: 'prod',
  customerId: 'c1',
  journeyId: 'cart',
  revision: 'r',
  entry: 0,
  stepId: 's',
  channel,
  template: 't',
  data: {},
  profile: {},
  decidedAt: 0,
  attempt,
})

function logRecorder() {
  const lines: Array<{level: string; fields: object; message: string}> = []
  const at = (level: string) => (fields: object, message: string) => lines.push({level, fields, message})
  return {lines, log: {info: at('info'), warn: at('warn'), error: at('error')}}
}

describe('joe serve metrics', () => {
  it('label every series with env and role, count what the process did, and include the process metrics', async () => {
    const metrics = createServeMetrics({
      env: 'prod',
      role: 'all',
      channels: [
        {channel: 'email', connector: 'smtp'},
        {channel: 'webhook', connector: 'webhook'},
      ],
      now: () => 0,
    })
    metrics.received('http', 10, 2)
    metrics.received('joe', 1, 0)
    metrics.processed({now: 0, customers: 3, events: 7, dues: 2, sends: 4, errors: 1})
    metrics.delivered({message: message('email', 1), outcome: {status: 'sent'}, maxAttempts: 3}, 120, 'smtp')
    metrics.delivered({message: message('email', 1), outcome: {status: 'retry', error: 'HTTP 503'}, maxAttempts: 3}, 40, 'smtp')
    metrics.delivered({message: message('email', 3), outcome: {status: 'retry', error: 'HTTP 503'}, maxAttempts: 3}, 40, 'smtp')
    metrics.delivered({message: message('webhook', 1), outcome: {status: 'failed', error: 'HTTP 400'}, maxAttempts: 8}, 3, 'webhook')
    metrics.requested('POST', '/v1/batch', 200, 0.004)
    const text = await metrics.render()
    for (const sample of samples(text)) expect(sample.labels).toMatchObject({env: 'prod', role: 'all'})
    expect(sampleValue(text, 'joe_events_received_total', {source: 'http'})).toBe(10)
    expect(sampleValue(text, 'joe_events_duplicate_total', {source: 'http'})).toBe(2)
    expect(sampleValue(text, 'joe_events_received_total', {source: 'joe'})).toBe(1)
    expect(sampleValue(text, 'joe_events_processed_total')).toBe(7)
    expect(sampleValue(text, 'joe_due_processed_total')).toBe(2)
    expect(sampleValue(text, 'joe_engine_errors_total')).toBe(1)
    expect(sampleValue(text, 'joe_messages_decided_total')).toBe(4)
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'email', status: 'sent'})).toBe(1)
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'email', status: 'retry'})).toBe(1)
    // The last attempt's transient failure, and a permanent failure, are dead letters.
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'email', status: 'dead'})).toBe(1)
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'webhook', status: 'dead'})).toBe(1)
    expect(sampleValue(text, 'joe_deliveries_total', {channel: 'webhook', status: 'sent'})).toBe(0)
    expect(sampleValue(text, 'joe_delivery_duration_seconds_count', {channel: 'email', connector: 'smtp'})).toBe(3)
    expect(sampleValue(text, 'joe_delivery_duration_seconds_bucket', {channel: 'email', connector: 'smtp', le: '0.1'})).toBe(2)
    expect(sampleValue(text, 'joe_delivery_duration_seconds_sum', {channel: 'webhook', connector: 'webhook'})).toBeCloseTo(0.003)
    expect(sampleValue(text, 'joe_http_request_duration_seconds_count', {method: 'POST', route: '/v1/batch', status_code: '200'})).toBe(1)
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0)
    expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
    // Without a store reader, no store gauges.
    expect(sampleValue(text, 'joe_store_up')).toBeUndefined()
  })

  it("read the store's gauges at scrape time, once per cache interval however many scrapes", async () => {
    const clock = {now: 1_000_000}
    let reads = 0
    let gauges = GAUGES
    const metrics = createServeMetrics({
      env: 'prod',
      role: 'worker',
      channels: [],
      now: () => clock.now,
      cacheMs: 5_000,
      processMetrics: false,
      readStore: async () => {
        reads++
        return gauges
      },
    })
    const [a, b] = await Promise.all([metrics.render(), metrics.render()])
    expect(reads).toBe(1)
    expect(b).toBe(a)
    expect(sampleValue(a, 'joe_store_up')).toBe(1)
    expect(sampleValue(a, 'joe_event_lag_seconds')).toBe(1.5)
    expect(sampleValue(a, 'joe_due_overdue_customers')).toBe(2)
    expect(sampleValue(a, 'joe_due_overdue_seconds')).toBe(30)
    expect(sampleValue(a, 'joe_outbox_pending_messages')).toBe(4)
    expect(sampleValue(a, 'joe_outbox_dead_letters')).toBe(5)
    gauges = {...GAUGES, outboxPending: 9}
    clock.now += 4_999
    expect(sampleValue(await metrics.render(), 'joe_outbox_pending_messages')).toBe(4)
    expect(reads).toBe(1)
    clock.now += 1
    expect(sampleValue(await metrics.render(), 'joe_outbox_pending_messages')).toBe(9)
    expect(reads).toBe(2)
  })

  it('say when the store cannot be read (joe_store_up 0, gauges NaN), log it once without secrets, and recover', async () => {
    const clock = {now: 0}
    let failing = true
    const {lines, log} = logRecorder()
    const metrics = createServeMetrics({
      env: 'prod',
      role: 'delivery',
      channels: [],
      now: () => clock.now,
      cacheMs: 1_000,
      processMetrics: false,
      log,
      secrets: ['hunter2'],
      readStore: async () => {
        if (failing) throw new Error('connect to postgres://joe:hunter2@db/joe failed')
        return GAUGES
      },
    })
    for (let i = 0; i < 3; i++) {
      const text = await metrics.render()
      expect(sampleValue(text, 'joe_store_up')).toBe(0)
      expect(sampleValue(text, 'joe_event_lag_seconds')).toBeNaN()
      expect(sampleValue(text, 'joe_outbox_dead_letters')).toBeNaN()
      clock.now += 1_000
    }
    expect(lines.map((l) => l.level)).toEqual(['warn'])
    expect(JSON.stringify(lines)).not.toContain('hunter2')
    failing = false
    const text = await metrics.render()
    expect(sampleValue(text, 'joe_store_up')).toBe(1)
    expect(sampleValue(text, 'joe_outbox_dead_letters')).toBe(5)
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info'])
  })
})
