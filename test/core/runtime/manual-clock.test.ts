import {describe, expect, it} from 'vitest'
import {changeClock} from '../../../src/core/runtime/manual-clock.js'
import {liveEnvPerTest, RUNTIME_BACKENDS} from '../../helpers/runtime.js'

describe.each(RUNTIME_BACKENDS)('joe clock on $name', (backend) => {
  const environments = liveEnvPerTest(backend)

  it('shows a clock never set, sets it, advances it, and refuses bad values with codes', async () => {
    await environments.create()
    const runtime = await environments.open()
    const {ctx} = runtime
    expect(await changeClock(ctx, 'show', undefined)).toEqual({format_version: 1, env: 'live', clock: 'manual', now: null})
    await expect(changeClock(ctx, 'advance', '1h')).rejects.toMatchObject({code: 'JOE7014'})
    await expect(changeClock(ctx, 'set', undefined)).rejects.toMatchObject({code: 'JOE7013', exitCode: 2})
    await expect(changeClock(ctx, 'set', '2026-03-02T09:00')).rejects.toMatchObject({code: 'JOE4005', exitCode: 2})
    expect(await changeClock(ctx, 'set', '2026-03-02T09:00:00Z')).toMatchObject({now: '2026-03-02T09:00:00.000Z'})
    expect(await changeClock(ctx, 'advance', 'PT90M')).toMatchObject({now: '2026-03-02T10:30:00.000Z'})
    await expect(changeClock(ctx, 'advance', 'soon')).rejects.toMatchObject({code: 'JOE7013', exitCode: 2})
    await expect(changeClock(ctx, 'advance', '0s')).rejects.toMatchObject({code: 'JOE7013'})
    await expect(changeClock(ctx, 'set', '2026-03-01')).rejects.toMatchObject({code: 'JOE7011'})
  })
})
