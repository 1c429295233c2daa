import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {diffJourneys} from '../../../src/core/diff/diff-journeys.js'
import type {DiffOperation} from '../../../src/core/diff/types.js'
import {BASE, load} from './helpers.js'

const root = path.resolve(import.meta.dirname, '../../..')
const base = load(BASE)
const diff = (yaml: string) => diffJourneys(base, load(yaml))
const brief = (ops: DiffOperation[]) => ops.map((o) => [o.op, o.step ?? '', o.field ?? '', o.class].join(' '))

describe('diffJourneys: no change', () => {
  const files = ['templates', 'examples/journeys'].flatMap((dir) =>
    readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.journey.yaml'))
      .map((f) => path.join(dir, f)),
  )
  it.each(files)('diff(a, a) is empty for %s', (file) => {
    const text = readFileSync(path.join(root, file), 'utf8')
    expect(diffJourneys(load(text), load(text))).toEqual([])
  })

  it('ignores key order, comments, quoting, flow vs block style and implicit vs explicit next', () => {
    const rewritten = `# a comment
name: "Cart"
version: 1
id: cart
settings: { holdout: 10, timezone: profile }
goal: { within: 168h, event: order_completed }
exit:
  - event: order_completed   # leave on purchase
entry: { when: "event.properties.cart_value > 50", event: cart_updated }
steps:
  - { wait: PT1H, id: wait-1h, next: route }
  - id: route
    branch:
      else: sms-1
      cases:
        - next: email-1
          when: "profile.email_opt_in == true"
  - id: email-1
    send: { template: t1, channel: email }
    next: wait-buy
  - { id: sms-1, send: { channel: sms, template: t2 }, next: wait-buy }
  - { id: wait-buy, wait_for: { on_timeout: offer, event: order_completed, timeout: 48h }, next: end }
  - id: offer
    split: [{ variant: a, percent: 50, next: end }, { next: email-2, variant: b, percent: 50 }]
  - { id: email-2, send: { channel: email, template: t3 }, next: end }
`
    expect(diff(rewritten)).toEqual([])
  })
})

describe('diffJourneys: steps', () => {
  it('reports a changed wait duration with old and new value', () => {
    expect(diff(BASE.replace('wait: 1h', 'wait: 2h'))).toEqual([
      {op: 'step.changed', class: 'behaviour', step: 'wait-1h', field: 'wait', from: '1h', to: '2h'},
    ])
  })

  it('reports a branch condition, split percents, a send template and channel', () => {
    const changed = BASE.replace('profile.email_opt_in == true', 'profile.email_opt_in == false')
      .replace('variant: a, percent: 50', 'variant: a, percent: 30')
      .replace('variant: b, percent: 50', 'variant: b, percent: 70')
      .replace('template: t1', 'template: t9')
      .replace('channel: sms, template: t2', 'channel: push, template: t2')
    expect(diff(changed)).toEqual([
      {
        op: 'step.changed',
        class: 'behaviour',
        step: 'route',
        field: 'branch.cases[0].when',
        from: 'profile.email_opt_in == true',
        to: 'profile.email_opt_in == false',
      },
      {op: 'step.changed', class: 'behaviour', step: 'email-1', field: 'send.template', from: 't1', to: 't9'},
      {op: 'step.changed', class: 'behaviour', step: 'sms-1', field: 'send.channel', from: 'sms', to: 'push'},
      {op: 'step.changed', class: 'behaviour', step: 'offer', field: 'split.a.percent', from: 50, to: 30},
      {op: 'step.changed', class: 'behaviour', step: 'offer', field: 'split.b.percent', from: 50, to: 70},
    ])
  })

  it('reports `next` rewired, wait_for settings and an added step', () => {
    const changed = BASE.replace('next: wait-buy }', 'next: extra }')
      .replace('timeout: 2d', 'timeout: 3d')
      .replace('  - { id: sms-1', '  - { id: extra, wait: 10m, next: wait-buy }\n  - { id: sms-1')
    expect(brief(diff(changed))).toEqual([
      'step.changed email-1 next behaviour',
      'step.added extra  behaviour',
      'step.changed wait-buy wait_for.timeout behaviour',
    ])
    expect(diff(changed)[1]?.to).toEqual({id: 'extra', wait: '10m', next: 'wait-buy'})
  })

  it('finds a renamed step (same action, new id) and does not report the rewired references', () => {
    const renamed = BASE.replace('id: email-1', 'id: email-reminder').replace('next: email-1', 'next: email-reminder')
    expect(diff(renamed)).toEqual([{op: 'step.renamed', class: 'behaviour', step: 'email-reminder', from: 'email-1', to: 'email-reminder'}])
  })

  it('a renamed wait without `moved` breaks customers in flight; with `moved` it does not', () => {
    const renamed = BASE.replace('id: wait-buy', 'id: wait-order').replace('next: wait-buy', 'next: wait-order')
    expect(brief(diff(renamed))).toEqual(['step.renamed wait-order  breaking-in-flight'])
    expect(diff(renamed)[0]?.note).toContain('moved: { wait-buy: STEP }')
    expect(brief(diff(`${renamed}moved: { wait-buy: wait-order }\n`))).toEqual([
      'step.renamed wait-order  behaviour',
      'moved.changed  moved.wait-buy behaviour',
    ])
  })

  it('a removed wait is breaking-in-flight unless `moved` covers it', () => {
    const removed = BASE.replace('  - { id: wait-1h, wait: 1h }\n', '')
    expect(brief(diff(removed))).toEqual(['entry.changed  entry.start behaviour', 'step.removed wait-1h  breaking-in-flight'])
    expect(brief(diff(`${removed}moved: { wait-1h: route }\n`))).toEqual([
      'entry.changed  entry.start behaviour',
      'step.removed wait-1h  behaviour',
      'moved.changed  moved.wait-1h behaviour',
    ])
  })

  it('a removed send is breaking-in-flight only when quiet hours can hold customers there', () => {
    const removed = BASE.replace('next: email-1 }], else: sms-1', 'next: wait-buy }], else: sms-1').replace(
      '  - { id: email-1, send: { channel: email, template: t1 }, next: wait-buy }\n',
      '',
    )
    expect(brief(diff(removed))).toEqual(['step.changed route branch.cases[0].next behaviour', 'step.removed email-1  behaviour'])
    const quiet = (y: string) => y.replace('holdout: 10', 'holdout: 10, quiet_hours: { start: "21:00", end: "08:00" }')
    expect(brief(diffJourneys(load(quiet(BASE)), load(quiet(removed))))).toEqual([
      'step.changed route branch.cases[0].next behaviour',
      'step.removed email-1  breaking-in-flight',
    ])
  })

  it('a step whose action changed kind', () => {
    expect(diff(BASE.replace('{ id: sms-1, send: { channel: sms, template: t2 } }', '{ id: sms-1, wait: 1d }'))).toEqual([
      {
        op: 'step.changed',
        class: 'behaviour',
        step: 'sms-1',
        field: 'action',
        from: {send: {channel: 'sms', template: 't2'}},
        to: {wait: '1d'},
      },
    ])
  })

  it('step names and descriptions are cosmetic; reordering steps is cosmetic unless a path changes', () => {
    const labelled = BASE.replace('{ id: wait-1h, wait: 1h }', '{ id: wait-1h, wait: 1h, name: Give them an hour }')
    expect(brief(diff(labelled))).toEqual(['step.changed wait-1h name cosmetic'])
    // email-2 moved up with explicit nexts on both sides: nothing behaves differently.
    const reordered = BASE.replace('  - { id: email-2, send: { channel: email, template: t3 } }\n', '').replace(
      '  - { id: wait-1h, wait: 1h }\n',
      '  - { id: wait-1h, wait: 1h, next: route }\n  - { id: email-2, send: { channel: email, template: t3 }, next: end }\n',
    )
    expect(brief(diff(reordered))).toEqual(['step.moved email-2 position cosmetic'])
  })

  it('split variants added, removed and reordered', () => {
    const changed = BASE.replace(
      'split: [{ variant: a, percent: 50, next: end }, { variant: b, percent: 50, next: email-2 }]',
      'split: [{ variant: b, percent: 50, next: email-2 }, { variant: c, percent: 50, next: end }]',
    )
    expect(diff(changed).map((o) => [o.field, o.from, o.to])).toEqual([
      ['split.c', undefined, {variant: 'c', percent: 50, next: 'end'}],
      ['split.a', {variant: 'a', percent: 50, next: 'end'}, undefined],
    ])
  })
})

describe('diffJourneys: journey level', () => {
  it('entry, reentry, exit, goal and settings', () => {
    const changed = BASE.replace('cart_value > 50', 'cart_value > 80')
      .replace('exit: [{ event: order_completed }]', 'exit: [{ event: order_completed }, { event: unsubscribed }]\nreentry: { after: 30d }')
      .replace('within: 7d', 'within: 3d')
      .replace('holdout: 10', 'holdout: 20, frequency_cap: { limit: 1, per: 1d }')
    expect(diff(changed)).toEqual([
      {
        op: 'entry.changed',
        class: 'behaviour',
        field: 'entry.when',
        from: 'event.properties.cart_value > 50',
        to: 'event.properties.cart_value > 80',
      },
      {op: 'reentry.changed', class: 'behaviour', field: 'reentry', from: 'never', to: {after: '30d'}},
      {op: 'exit.changed', class: 'behaviour', field: 'exit', to: {event: 'unsubscribed'}},
      {op: 'goal.changed', class: 'behaviour', field: 'goal.within', from: '7d', to: '3d'},
      {op: 'settings.changed', class: 'behaviour', field: 'settings.frequency_cap', to: {limit: 1, per: '1d'}},
      {op: 'settings.changed', class: 'behaviour', field: 'settings.holdout', from: 10, to: 20},
    ])
  })

  it('name, description, owner and tags are cosmetic; exit order is no change', () => {
    const a = load(
      `${BASE}tags: [x, y]\n`.replace(
        'exit: [{ event: order_completed }]',
        'exit: [{ event: order_completed }, { when: "profile.vip == true" }]',
      ),
    )
    const b = load(
      `${BASE}tags: [y, x, z]\nowner: growth\ndescription: Hello\n`
        .replace('name: Cart', 'name: Cart recovery')
        .replace('exit: [{ event: order_completed }]', 'exit: [{ when: "profile.vip == true" }, { event: order_completed }]'),
    )
    expect(brief(diffJourneys(a, b))).toEqual([
      'journey.changed  name cosmetic',
      'journey.changed  description cosmetic',
      'journey.changed  owner cosmetic',
      'journey.changed  tags cosmetic',
    ])
  })

  it('an entry of another kind is one operation', () => {
    expect(
      diff(
        BASE.replace(
          'entry: { event: cart_updated, when: "event.properties.cart_value > 50" }',
          'entry: { segment: "profile.vip == true" }',
        ),
      ),
    ).toEqual([
      {
        op: 'entry.changed',
        class: 'behaviour',
        field: 'entry',
        from: {event: 'cart_updated', when: 'event.properties.cart_value > 50'},
        to: {segment: 'profile.vip == true'},
      },
    ])
  })
})

describe('diffJourneys: `moved` names a rename', () => {
  it('pairs a removed step with the added step its `moved` entry names, and reports the other changes on it', () => {
    const changed = `${BASE.replace('id: wait-buy', 'id: wait-order').replace('next: wait-buy', 'next: wait-order').replace('timeout: 2d', 'timeout: 3d')}moved: { wait-buy: wait-order }\n`
    expect(diff(changed)).toEqual([
      {op: 'step.renamed', class: 'behaviour', step: 'wait-order', from: 'wait-buy', to: 'wait-order'},
      {op: 'step.changed', class: 'behaviour', step: 'wait-order', field: 'wait_for.timeout', from: '2d', to: '3d'},
      {op: 'moved.changed', class: 'behaviour', field: 'moved.wait-buy', to: 'wait-order'},
    ])
  })
})
