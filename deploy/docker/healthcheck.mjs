#!/usr/bin/env node
// The health check of a `joe serve` process, for the image's HEALTHCHECK, compose and anything
// else that runs a command to probe: exits 0 when URL (default http://127.0.0.1:8787/readyz)
// answers 2xx, 1 otherwise. Node.js's own fetch, so the image needs no curl or wget. What it
// prints (the /readyz answer names the failing check) is kept in `docker inspect`'s health log.
//
//   node deploy/docker/healthcheck.mjs [URL]
const url = process.argv[2] ?? 'http://127.0.0.1:8787/readyz'
// Docker's own --timeout stops a hung check; this one answers first, with a reason.
const TIMEOUT_MS = 4_000

try {
  const response = await fetch(url, {signal: AbortSignal.timeout(TIMEOUT_MS)})
  const body = (await response.text()).slice(0, 1_000)
  process.stdout.write(`${url}: ${response.status} ${body}\n`)
  process.exitCode = response.ok ? 0 : 1
} catch (error) {
  process.stdout.write(`${url}: ${error instanceof Error ? (error.cause?.message ?? error.message) : String(error)}\n`)
  process.exitCode = 1
}
