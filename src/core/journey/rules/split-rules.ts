import {isObject, type Rule} from './rule-context.js'

/** JOE2006 percents must sum to 100; JOE2007 variant names unique per split. */
export const splitRule: Rule = (ctx) => {
  for (const step of ctx.steps) {
    const split = step.value.split
    if (!Array.isArray(split)) continue
    const variants = split.filter(isObject)
    const percents = variants.map((v) => v.percent)
    if (percents.every((p) => typeof p === 'number' && Number.isInteger(p))) {
      const sum = (percents as number[]).reduce((a, b) => a + b, 0)
      if (sum !== 100) {
        ctx.report({
          code: 'JOE2006',
          severity: 'error',
          message: `split "${step.id ?? step.index}" percents sum to ${sum}, not 100`,
          hint: `adjust the percents (${(percents as number[]).join(' + ')}) so they add up to exactly 100`,
          path: ['steps', step.index, 'split'],
          key: true,
        })
      }
    }
    const seen = new Set<string>()
    split.forEach((variant, i) => {
      if (!isObject(variant) || typeof variant.variant !== 'string') return
      if (seen.has(variant.variant)) {
        ctx.report({
          code: 'JOE2007',
          severity: 'error',
          message: `split "${step.id ?? step.index}" has variant "${variant.variant}" twice`,
          hint: 'give each variant its own name; results are reported per variant',
          path: ['steps', step.index, 'split', i, 'variant'],
        })
      }
      seen.add(variant.variant)
    })
  }
}
