import type {Prng} from './prng.js'
import type {JsonObject} from './store-types.js'

export const SCENARIOS = ['ecommerce', 'saas'] as const
export type Scenario = (typeof SCENARIOS)[number]

const MINUTE = 60_000
const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Zones with their standard UTC offsets in hours, weighted roughly by where shoppers are. */
const TIMEZONES: readonly (readonly [readonly [string, number], number])[] = [
  [['Europe/Berlin', 1], 18],
  [['Europe/London', 0], 12],
  [['Europe/Paris', 1], 8],
  [['America/New_York', -5], 18],
  [['America/Chicago', -6], 7],
  [['America/Los_Angeles', -8], 9],
  [['America/Sao_Paulo', -3], 5],
  [['Asia/Tokyo', 9], 8],
  [['Asia/Kolkata', 5.5], 6],
  [['Asia/Singapore', 8], 4],
  [['Australia/Sydney', 10], 5],
]
const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloe',
  'David',
  'Emma',
  'Felix',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kira',
  'Liam',
  'Mia',
  'Noah',
  'Olga',
  'Priya',
]
const SOURCES: readonly (readonly [string, number])[] = [
  ['organic', 40],
  ['ads', 25],
  ['referral', 15],
  ['social', 15],
  ['email', 5],
]
const CATEGORIES = ['shoes', 'jackets', 'shirts', 'bags', 'accessories', 'outdoor'] as const
const PAGES = ['/', '/sale', '/new', '/about', '/help', '/category/shoes', '/category/jackets']
const FEATURES = ['dashboard', 'reports', 'export', 'integrations', 'invite', 'api_keys', 'automations']
/** Local hour of a visit, weighted towards lunch and evening. */
const HOURS: readonly (readonly [number, number])[] = Array.from({length: 24}, (_, h) => [
  h,
  h < 7 ? 1 : h < 12 ? 4 : h < 14 ? 7 : h < 18 ? 5 : h < 23 ? 9 : 3,
])
/** Share of customers per engagement level and the chance of a visit on any day. */
const ACTIVITY: readonly (readonly [number, number])[] = [
  [0.01, 30],
  [0.06, 50],
  [0.25, 20],
]

/** One customer's timeline in the making; events are sorted by time when done. */
export class Timeline {
  readonly events: {type: string; timestamp: number; properties: JsonObject}[] = []

  constructor(
    readonly rng: Prng,
    readonly customerId: string,
    readonly index: number,
    readonly end: number,
  ) {}

  /** Adds an event unless it falls at or after the end of the window. */
  emit(type: string, timestamp: number, properties: JsonObject = {}): boolean {
    if (timestamp >= this.end) return false
    this.events.push({type, timestamp: Math.floor(timestamp), properties})
    return true
  }
}

interface Person {
  signupAt: number
  offsetHours: number
  visitChance: number
  traits: JsonObject
}

/** Sign-up: identify traits, then `signed_up`. Shared by every scenario. */
function signUp(t: Timeline, start: number, days: number, extra: JsonObject): Person {
  const {rng} = t
  const [timezone, offsetHours] = rng.weighted(TIMEZONES)
  const signupDay = Math.floor(rng.next() * Math.max(1, days * 0.7))
  let signupAt = localTime(rng, start, signupDay, offsetHours)
  // East of UTC, an early local hour on day 0 falls before the window.
  if (signupAt < start) signupAt += DAY
  // ...and with a one-day window that can push it past the end; every customer signs up inside.
  const end = start + days * DAY
  if (signupAt >= end - 1000) signupAt = start + Math.floor(rng.next() * (end - start - 1000))
  const first = rng.pick(FIRST_NAMES)
  const traits: JsonObject = {
    email: `${first.toLowerCase()}.${t.index + 1}@example.com`,
    first_name: first,
    email_opt_in: rng.chance(0.75),
    sms_opt_in: rng.chance(0.35),
    timezone,
    ...extra,
  }
  if (rng.chance(0.1)) traits.opt_outs = rng.pick([['sms'], ['email'], ['push'], ['push', 'sms']])
  t.emit('identify', signupAt, traits)
  t.emit('signed_up', signupAt + 1000, {source: rng.weighted(SOURCES)})
  return {signupAt, offsetHours, visitChance: rng.weighted(ACTIVITY), traits}
}

/** A visit time on day `day` after `start`, at a plausible local hour. */
function localTime(rng: Prng, start: number, day: number, offsetHours: number): number {
  const midnight = start - (start % DAY) + day * DAY
  return midnight + rng.weighted(HOURS) * HOUR + rng.int(0, HOUR - 1) - offsetHours * HOUR
}

/** Calls `visit` for each day the customer comes back after sign-up. */
function eachVisit(t: Timeline, start: number, days: number, person: Person, visit: (at: number) => void): void {
  const firstDay = Math.floor((person.signupAt - (start - (start % DAY))) / DAY)
  for (let day = firstDay; day < days; day++) {
    if (day === firstDay ? t.rng.chance(0.5) : t.rng.chance(person.visitChance)) {
      const at = localTime(t.rng, start, day, person.offsetHours)
      if (at > person.signupAt) visit(at)
    }
  }
}

function maybeUnsubscribe(t: Timeline, start: number, days: number, person: Person): void {
  if (person.traits.email_opt_in === true && t.rng.chance(0.05)) {
    const at = person.signupAt + t.rng.next() * (start + days * DAY - person.signupAt)
    t.emit('identify', at, {unsubscribed: true, email_opt_in: false})
  }
}

export function ecommerceTimeline(t: Timeline, start: number, days: number): void {
  const {rng} = t
  const person = signUp(t, start, days, {country: rng.pick(['DE', 'GB', 'FR', 'US', 'BR', 'JP', 'IN', 'SG', 'AU'])})
  let orders = 0
  eachVisit(t, start, days, person, (visitAt) => {
    let at = visitAt
    const step = () => {
      at += rng.int(10_000, 8 * MINUTE)
      return at
    }
    t.emit('page', at, {path: rng.pick(PAGES)})
    const viewed: {product_id: string; category: string; price: number}[] = []
    for (let n = rng.int(1, 4); n > 0; n--) {
      const product = {product_id: `p-${rng.int(1, 500)}`, category: rng.pick(CATEGORIES), price: rng.money(9, 240)}
      viewed.push(product)
      t.emit('product_viewed', step(), product)
    }
    if (!rng.chance(0.4)) return
    const items = rng.int(1, Math.min(3, viewed.length))
    const cartValue = Math.round(viewed.slice(0, items).reduce((sum, p) => sum + p.price, 0) * 100) / 100
    t.emit('cart_updated', step(), {cart_value: cartValue, items, currency: 'EUR'})
    if (!rng.chance(0.5)) return
    t.emit('checkout_started', step(), {cart_value: cartValue, items})
    if (!rng.chance(0.65)) return
    orders++
    const orderId = `o-${t.index + 1}-${orders}`
    t.emit('order_completed', step(), {order_id: orderId, value: cartValue, items, currency: 'EUR'})
    if (rng.chance(0.25)) t.emit('review_submitted', at + rng.int(2, 10) * DAY, {order_id: orderId, rating: rng.weighted(RATINGS)})
  })
  maybeUnsubscribe(t, start, days, person)
}

const RATINGS: readonly (readonly [number, number])[] = [
  [1, 5],
  [2, 5],
  [3, 12],
  [4, 30],
  [5, 48],
]

export function saasTimeline(t: Timeline, start: number, days: number): void {
  const {rng} = t
  const person = signUp(t, start, days, {
    company: `Company ${rng.int(1, 5000)}`,
    role: rng.pick(['founder', 'engineer', 'marketer', 'analyst', 'designer']),
    plan: 'free',
  })
  let trialEnds: number | undefined
  let subscribed = false
  if (rng.chance(0.6)) {
    const at = person.signupAt + rng.int(1, 48) * HOUR
    if (t.emit('trial_started', at, {plan: 'pro', trial_days: 14})) trialEnds = at + 14 * DAY
  }
  eachVisit(t, start, days, person, (visitAt) => {
    let at = visitAt
    t.emit('page', at, {path: rng.pick(['/app', '/app/reports', '/pricing', '/docs'])})
    for (let n = rng.int(1, 3); n > 0; n--) {
      at += rng.int(30_000, 20 * MINUTE)
      t.emit('feature_used', at, {feature: rng.pick(FEATURES)})
    }
    if (!subscribed && trialEnds !== undefined && at < trialEnds && rng.chance(0.15)) {
      subscribed = true
      const plan = rng.weighted([
        ['pro', 70],
        ['business', 30],
      ] as const)
      at += rng.int(1, 10) * MINUTE
      t.emit('subscription_started', at, {plan, mrr: plan === 'pro' ? 29 : 99, currency: 'EUR'})
      t.emit('identify', at + 1, {plan})
    } else if (subscribed && rng.chance(0.03)) {
      subscribed = false
      at += rng.int(1, 10) * MINUTE
      t.emit('subscription_cancelled', at, {reason: rng.pick(['price', 'missing_feature', 'switched', 'other'])})
      t.emit('identify', at + 1, {plan: 'free'})
    }
  })
  maybeUnsubscribe(t, start, days, person)
}
