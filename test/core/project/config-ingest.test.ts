import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../../src/core/project/config.js'
import {tempProject} from '../../helpers/temp-project.js'

describe('the ingest settings of an environment', () => {
  it('are read as milliseconds and events per second, the burst defaulting to one second of events', async () => {
    const dir = await tempProject({
      'joe.config.yaml': `environments:
  prod:
    store: "sqlite:.joe/prod.db"
    ingest:
      rate_limit: { events_per_second: 1000, burst: 5000 }
      request_timeout: 20s
      idle_timeout: 2m
  staging:
    store: "sqlite:.joe/staging.db"
    ingest: { rate_limit: { events_per_second: 2.5 } }
  dev:
    store: "sqlite:.joe/dev.db"
`,
    })
    const {config, diagnostics} = await loadConfig(dir)
    expect(diagnostics).toEqual([])
    expect(config.environments.prod?.ingest).toEqual({
      rateLimit: {eventsPerSecond: 1000, burst: 5000},
      requestTimeoutMs: 20_000,
      idleTimeoutMs: 120_000,
    })
    expect(config.environments.staging?.ingest).toEqual({rateLimit: {eventsPerSecond: 2.5, burst: 3}})
    expect(config.environments.dev?.ingest).toBeUndefined()
  })

  it('are refused with a located error when a timeout is not a positive duration', async () => {
    const dir = await tempProject({
      'joe.config.yaml': `environments:
  prod:
    store: "sqlite:.joe/prod.db"
    ingest: { request_timeout: 0s }
`,
    })
    const {diagnostics} = await loadConfig(dir)
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'JOE1014',
        severity: 'error',
        message: 'environments.prod.ingest.request_timeout is "0s", which is not a duration above zero',
        location: expect.objectContaining({line: 4}),
      }),
    ])
  })
})
