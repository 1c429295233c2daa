import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from './docker-build.js'

describe('docs/operations.md', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8')

  it('names only files of this repository that exist (the files it tells you to copy and run)', () => {
    const named = [...doc.matchAll(/(?:^|[\s`(])((?:deploy|scripts|test|bench|docs)\/[\w./@-]+|compose\.yaml|Dockerfile)/g)].map((m) =>
      (m[1] as string).replace(/[.,:;]+$/, ''),
    )
    expect(named.length).toBeGreaterThan(10)
    expect([...new Set(named)].filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([])
  })

  it('quotes the unit file and the compose file as they are', () => {
    const unit = readFileSync(path.join(ROOT, 'deploy/systemd/joe-serve@.service'), 'utf8')
    for (const setting of ['TimeoutStopSec=30', 'Restart=on-failure', 'RestartSec=2', 'RestartPreventExitStatus=2', 'StateDirectory=joe'])
      expect(unit).toContain(setting)
    expect(doc).toContain('`TimeoutStopSec`')
    const compose = readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8')
    for (const fact of ['replicas: 2', 'stop_grace_period: 30s', 'restart: unless-stopped', '${JOE_BIND:-127.0.0.1}', 'profiles: [cli]'])
      expect(compose).toContain(fact)
  })
})
