import {describe, expect, it} from 'vitest'
import {createReadiness} from '../../src/server/health.js'

function logRecorder() {
  const lines: Array<{level: string; fields: object; message: string}> = []
  const at = (level: string) => (fields: object, message: string) => lines.push({level, fields, message})
  return {lines, log: {info: at('info'), warn: at('warn'), error: at('error')}}
}

describe('readiness', () => {
  it("checks the store and the role's loops, says what fails without details, and logs each failure once", async () => {
    const {lines, log} = logRecorder()
    const state = {store: true, worker: {healthy: true}}
    const ready = createReadiness({
      role: 'worker',
      pingStore: async () => {
        if (!state.store) throw new Error('connect ECONNREFUSED to postgres://joe:s3cret@db:5432/joe')
      },
      loops: () => ({worker: state.worker, delivery: undefined}),
      log,
      secrets: ['s3cret'],
    })
    expect(await ready()).toEqual({ready: true, role: 'worker', checks: {store: 'ok', worker: 'ok'}})
    state.store = false
    state.worker.healthy = false
    const down = await ready()
    expect(down).toEqual({ready: false, role: 'worker', checks: {store: 'unreachable', worker: 'failing'}})
    expect(JSON.stringify(down)).not.toContain('ECONNREFUSED')
    await ready()
    expect(lines.map((l) => `${l.level} ${l.message} ${(l.fields as {check: string}).check}`)).toEqual([
      'warn not ready store',
      'warn not ready worker',
    ])
    expect(JSON.stringify(lines)).toContain('ECONNREFUSED')
    expect(JSON.stringify(lines)).not.toContain('s3cret')
    state.store = true
    state.worker.healthy = true
    expect((await ready()).ready).toBe(true)
    expect(lines.slice(2).map((l) => `${l.level} ${l.message} ${(l.fields as {check: string}).check}`)).toEqual([
      'info ready again store',
      'info ready again worker',
    ])
  })

  it('is not ready while the store does not answer in time', async () => {
    const {log} = logRecorder()
    const ready = createReadiness({
      role: 'ingest',
      pingStore: () => new Promise(() => undefined),
      loops: () => ({}),
      log,
      timeoutMs: 50,
    })
    expect(await ready()).toEqual({ready: false, role: 'ingest', checks: {store: 'unreachable'}})
  })
})
