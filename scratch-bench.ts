import {compileExpression, evaluateCondition} from './src/core/expr/cel.js'
import {performance} from 'node:perf_hooks'
const profile: Record<string, unknown> = {email_opt_in: true, tags: ['vip', 'new'], opt_outs: ['sms'], points: 10}
for (let i = 0; i < 20; i++) profile[`attr_${i}`] = i
const b = {event: {type: 'cart_updated', timestamp: 1772445600000, properties: {cart_value: 80}}, profile, journey: {id: 'j', entered_at: 1772438400000}, now: 1772445600000, channel: 'email'}
for (const [src, ctx] of [['event.properties.cart_value > 50.0', 'event-condition'], ['profile.email_opt_in == true', 'branch-condition'], ['!(has(profile.opt_outs) && channel in profile.opt_outs)', 'consent'], ['now - journey.entered_at > duration("1h")', 'event-condition'], ['profile.tags.exists(t, t == "vip")', 'branch-condition']] as const) {
  const c = compileExpression(src, ctx)
  for (let i = 0; i < 10000; i++) evaluateCondition(c, b)
  const n = 100000
  const t = performance.now()
  let yes = 0
  for (let i = 0; i < n; i++) { const r = evaluateCondition(c, b); if (r.ok && r.value) yes++ }
  const ms = performance.now() - t
  console.log(src.padEnd(60), `${Math.round(n / (ms / 1000)).toLocaleString('en')} evals/s`, yes)
}
const t = performance.now(); for (let i = 0; i < 100000; i++) compileExpression('profile.email_opt_in == true', 'branch-condition'); console.log('cache hit', Math.round(100000 / ((performance.now() - t) / 1000)).toLocaleString('en'), '/s')
