import {afterEach, describe, expect, it} from 'vitest'
import type {RunningServe} from '../../src/core/runtime/serve.js'
import {journey} from '../core/deploy/helpers.js'
import {sampleValue} from '../helpers/metrics.js'
import {POSTGRES_URL} from '../helpers/postgres.js'
import {type LiveEnv, RUNTIME_BACKENDS, serveLive} from '../helpers/runtime.js'
import {eventually} from '../helpers/serve-process.js'
import {startTcpProxy, type TcpProxy} from '../helpers/tcp-proxy.js'

// `joe serve` on PostgreSQL through a proxy the test cuts: readiness turns 503 while the database
// is gone, and 200 again when it comes back, with nothing lost.
const KEY = 'wk-ready'
const signup = journey(`
version: 1
id: signup
name: Signup
entry: { event: signed_up }
steps:
  - { id: tag, update: { set: { welcomed: "true" } } }
`)

describe.skipIf(POSTGRES_URL === undefined)('readiness when the PostgreSQL store goes away', () => {
  let live: LiveEnv | undefined
  let proxy: TcpProxy | undefined
  let serve: RunningServe | undefined
  afterEach(async () => {
    proxy?.restore()
    await serve?.close()
    await proxy?.close()
    await live?.dispose()
  })

  it('answers 503 while the database connection is lost, and 200 again once it is back', {timeout: 240_000}, async () => {
    const backend = RUNTIME_BACKENDS.find((b) => b.name === 'postgres')
    if (backend === undefined) throw new Error('no postgres backend')
    live = await backend.create({writeKeys: [KEY]})
    await live.deploy([signup])
    const env = live.config.environments.live
    if (env === undefined) throw new Error('no live environment')
    const direct = new URL(env.store)
    proxy = await startTcpProxy({host: direct.hostname, port: Number(direct.port || 5432)})
    const proxied = new URL(env.store)
    proxied.hostname = '127.0.0.1'
    proxied.port = String(proxy.port)
    env.store = proxied.toString()
    const wall = live.wall
    serve = await serveLive(live, {pollMs: 50})
    const url = serve.url
    const ready = async () => {
      const response = await fetch(`${url}/readyz`)
      return {status: response.status, body: (await response.json()) as {checks: Record<string, string>}}
    }
    const storeUp = async () => {
      wall.now += 10_000 // past the gauges' cache
      return sampleValue(await (await fetch(`${url}/metrics`)).text(), 'joe_store_up')
    }
    const send = (userId: string) =>
      fetch(`${url}/v1/track`, {
        method: 'POST',
        body: JSON.stringify({userId, event: 'signed_up', timestamp: '2026-03-02T10:00:00Z'}),
        headers: {'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`},
      })
    expect((await ready()).status).toBe(200)
    expect(await storeUp()).toBe(1)
    expect((await send('before')).status).toBe(200)

    proxy.cut()
    const down = await eventually(async () => {
      const state = await ready()
      return state.status === 503 && state.body.checks.worker === 'failing' ? state : undefined
    }, 'readiness to fail')
    expect(down.body.checks).toMatchObject({store: 'unreachable', worker: 'failing'})
    expect(await storeUp()).toBe(0)
    // Nothing can be stored: the client is told to try again.
    expect((await send('during')).status).toBe(500)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)

    proxy.restore()
    const up = await eventually(async () => {
      const state = await ready()
      return state.status === 200 ? state : undefined
    }, 'readiness to come back')
    expect(up.body.checks).toEqual({store: 'ok', worker: 'ok', delivery: 'ok'})
    expect((await send('after')).status).toBe(200)
    await eventually(async () => {
      if ((await storeUp()) !== 1) return undefined
      const text = await (await fetch(`${url}/metrics`)).text()
      return sampleValue(text, 'joe_event_lag_seconds') === 0 && sampleValue(text, 'joe_events_processed_total') === 2 ? true : undefined
    }, 'both stored events to be processed')
  })
})
