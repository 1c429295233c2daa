import {describe, expect, it} from 'vitest'
import type {SimulationReport} from '../../../src/core/simulate/report.js'
import type {SimulateResult} from '../../../src/core/simulate/simulate.js'
import {MIN_UPLIFT_GROUP, renderSimulateText} from '../../../src/ui/simulate/simulate-text.js'

function report(entered: number, heldOut: number, converted: number, holdoutRate: number): SimulationReport {
  const treatmentRate = converted / (entered - heldOut || 1)
  return {
    format_version: 1,
    journey: 'cart',
    window: {from: '2026-03-01T00:00:00.000Z', until: '2026-03-14T00:00:00.000Z'},
    customers: {evaluated: 2036, entered, held_out: heldOut, completed: 0, exited: 0, converted, in_flight: 0},
    entries: entered,
    steps: {'wait-1h': {entered: entered - heldOut}},
    messages: {total: 0, by_channel: {}, by_template: {}, suppressed: {frequency_cap: 0, consent: 0}, deferred: {quiet_hours: 0}},
    conversion: {
      treatment_rate: treatmentRate,
      holdout_rate: holdoutRate,
      uplift: treatmentRate - holdoutRate,
      treatment_size: entered - heldOut,
      holdout_size: heldOut,
    },
    branches: {},
    variants: {},
    in_flight_at: {},
    expression_errors: {},
    coverage: {unreached_steps: [], unreached_cases: [], unreached_variants: []},
  }
}

const text = (r: SimulationReport) => renderSimulateText({reports: [r]} as SimulateResult, {color: false})

describe('simulate text: conversion and uplift', () => {
  it('prints each rate with the size of its group', () => {
    const out = text(report(1200, 200, 250, 0.2))
    expect(out).toContain('conversion treatment 25.00% of 1,000, holdout 20.00% of 200, uplift +5.00 pts')
    expect(out).not.toContain('caution')
  })

  it('cautions when a group is too small to mean anything, naming it', () => {
    const out = text(report(17, 1, 7, 1))
    expect(out).toContain('holdout 100.00% of 1, uplift -56.25 pts')
    expect(out).toContain(`caution: the holdout group has only 1 customer; below ${MIN_UPLIFT_GROUP} per group the uplift is mostly noise`)
    expect(text(report(300, 99, 10, 0.1))).toContain('caution: the holdout group has only 99 customers')
    expect(text(report(150, 100, 10, 0.1))).toContain('caution: the treatment group has only 50 customers')
  })

  it('says an empty group measures nothing', () => {
    expect(text(report(40, 0, 4, 0))).toContain('no customer is in the holdout group: the uplift measures nothing')
  })
})
