import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../../src/core/project/config.js'
import {tempProject} from '../../helpers/temp-project.js'

describe('loadConfig: events', () => {
  it('reads events.normalize_names', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'events:\n  normalize_names: snake_case\n'})
    const loaded = await loadConfig(cwd)
    expect(loaded.diagnostics).toEqual([])
    expect(loaded.config.events).toEqual({normalizeNames: 'snake_case'})
  })

  it('keeps names as sent by default', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'journeys: journeys\n'})
    expect((await loadConfig(cwd)).config.events).toEqual({normalizeNames: 'none'})
  })

  it('refuses an unknown normalisation with a located JOE1013', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'events:\n  normalize_names: kebab\n'})
    const loaded = await loadConfig(cwd)
    expect(loaded.diagnostics.map((d) => [d.code, d.location.line])).toEqual([['JOE1013', 2]])
  })
})
