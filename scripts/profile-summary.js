#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof --cpu-prof-dir=/tmp/prof ...`)
// without printing the profile: self time by package or source file, and the
// functions with the most self and total time.
//
//   node scripts/profile-summary.js /tmp/prof/CPU.*.cpuprofile [--top 25] [--callers NAME]
//
// --callers NAME lists the stacks (NAME and 5 callers) in which functions named NAME spent time.
// Commands are bundled (scripts/bundle-commands.js), so packages show up as one
// file; build with JOE_NO_BUNDLE=1 for time by package.
import {readFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {top: {type: 'string', default: '25'}, callers: {type: 'string'}},
})
const top = Number(values.top)
// Piped into head: stop quietly when the reader goes away.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
if (positionals.length === 0) {
  process.stderr.write('usage: node scripts/profile-summary.js PROFILE.cpuprofile... [--top N] [--callers NAME]\n')
  process.exit(2)
}

/** node_modules/<pkg> (or @scope/pkg), a project file, node:internal, or a V8 pseudo-frame. */
function groupOf(url, functionName) {
  if (!url) return `(${functionName || 'native'})`
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/')
  return url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // Each sample weighs the time since the previous one (timeDeltas, microseconds).
  const weight = new Map()
  profile.samples.forEach((id, i) => weight.set(id, (weight.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const totalMs = (profile.endTime - profile.startTime) / 1000
  const groups = new Map()
  const fnSelf = new Map()
  const fnTotal = new Map()
  for (const [id, ms] of weight) {
    const node = byId.get(id)
    const cf = node.callFrame
    const group = groupOf(cf.url, cf.functionName)
    groups.set(group, (groups.get(group) ?? 0) + ms)
    const key = `${cf.functionName || '(anonymous)'}  ${groupOf(cf.url, cf.functionName)}:${cf.lineNumber + 1}`
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms)
    // Total time: credit every distinct function on the stack once.
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame
      const k = `${f.functionName || '(anonymous)'}  ${groupOf(f.url, f.functionName)}:${f.lineNumber + 1}`
      if (seen.has(k)) continue
      seen.add(k)
      fnTotal.set(k, (fnTotal.get(k) ?? 0) + ms)
    }
  }
  const fmt = (entries) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${((ms / totalMs) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n')
  process.stdout.write(`${file}: ${totalMs.toFixed(1)} ms profiled, ${profile.samples.length} samples\n`)
  process.stdout.write(`\nself time by package / file:\n${fmt(groups)}\n`)
  process.stdout.write(`\nself time by function:\n${fmt(fnSelf)}\n`)
  process.stdout.write(`\ntotal time by function:\n${fmt(fnTotal)}\n\n`)
  if (values.callers) {
    const stacks = new Map()
    for (const [id, ms] of weight) {
      const chain = []
      let hit = false
      for (let cur = id; cur !== undefined && chain.length < 6; cur = parent.get(cur)) {
        const f = byId.get(cur).callFrame
        if (!hit && f.functionName !== values.callers) continue
        hit = true
        chain.push(`${f.functionName || '(anonymous)'}@${groupOf(f.url, f.functionName).split('/').pop()}:${f.lineNumber + 1}`)
      }
      if (hit) stacks.set(chain.join(' < '), (stacks.get(chain.join(' < ')) ?? 0) + ms)
    }
    process.stdout.write(`stacks under ${values.callers}:\n${fmt(stacks)}\n\n`)
  }
}
