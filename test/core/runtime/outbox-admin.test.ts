import {describe, expect, it} from 'vitest'
import {outboxReport, parseOutboxStatuses, retryDeadLetters} from '../../../src/core/runtime/outbox-admin.js'
import {liveEnvPerTest, RUNTIME_BACKENDS} from '../../helpers/runtime.js'

describe('parseOutboxStatuses', () => {
  it('reads a comma-separated list and refuses unknown statuses as a usage error', () => {
    expect(parseOutboxStatuses('pending, dead')).toEqual(['pending', 'dead'])
    expect(() => parseOutboxStatuses('pending,lost')).toThrow(expect.objectContaining({code: 'JOE7021', exitCode: 2}))
  })
})

describe.each(RUNTIME_BACKENDS)('joe outbox on $name', (backend) => {
  const environments = liveEnvPerTest(backend)

  it('reports an empty outbox, and refuses ids that are not numbers or not dead letters', async () => {
    await environments.create()
    const runtime = await environments.open()
    const {ctx} = runtime
    expect(await outboxReport(ctx, {statuses: ['pending', 'dead'], limit: 10})).toEqual({
      format_version: 1,
      env: 'live',
      backlog: {events: 0, customers_due: 0},
      counts: {pending: 0, sent: 0, dead: 0},
      messages: [],
    })
    expect(await retryDeadLetters(ctx, {ids: [], all: true})).toEqual({format_version: 1, env: 'live', retried: []})
    await expect(retryDeadLetters(ctx, {ids: [], all: false})).rejects.toMatchObject({code: 'JOE7022', exitCode: 2})
    await expect(retryDeadLetters(ctx, {ids: ['4x'], all: false})).rejects.toMatchObject({code: 'JOE7022', exitCode: 2})
    await expect(retryDeadLetters(ctx, {ids: ['41'], all: false})).rejects.toMatchObject({code: 'JOE7020'})
  })
})
