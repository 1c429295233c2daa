import {Flags} from '@oclif/core'
import {configFlag, storeFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {parseInstantFlag, storePath} from '../../cli/project-context.js'
import {type EventsGenerateResult, generateEventsInto} from '../../core/events/local-events.js'
import {requireConfig} from '../../core/project/config.js'
import {SCENARIOS, type Scenario} from '../../core/store/generate-scenarios.js'
import {startProgress} from '../../ui/progress.js'

export default class EventsGenerate extends JoeCommand<EventsGenerateResult> {
  static override summary = 'Generate realistic synthetic customer timelines'

  static override description =
    `Writes synthetic events — browsing, carts, orders, sign-ups, trials, unsubscribes, identify traits with time zones and opt-ins — into the event store, for trying journeys without real data. The same options and seed always give byte-identical events; running the same generation twice is a no-op.`

  static override examples = [
    {description: 'A month of e-commerce shoppers', command: '<%= config.bin %> <%= command.id %> --customers 1000 --days 30 --seed 1'},
    {
      description: 'SaaS trials starting on a given date',
      command: '<%= config.bin %> <%= command.id %> --customers 500 --days 14 --seed 7 --scenario saas --start 2026-03-01',
    },
  ]

  static override flags = {
    customers: Flags.integer({description: 'How many customers.', required: true, min: 1}),
    days: Flags.integer({description: 'Length of the period in days.', default: 30, min: 1}),
    seed: Flags.integer({description: 'Random seed; the same seed gives the same data.', default: 1}),
    scenario: Flags.string({description: 'Kind of business.', options: [...SCENARIOS], default: 'ecommerce'}),
    start: Flags.string({description: 'First day (UTC), e.g. 2026-03-01.', default: '2026-03-01'}),
    store: storeFlag,
    config: configFlag,
  }

  async run(): Promise<EventsGenerateResult> {
    const {flags} = await this.parse(EventsGenerate)
    const config = await requireConfig(process.cwd(), flags.config)
    const result = await generateEventsInto({
      store: storePath(config, flags.store),
      customers: flags.customers,
      days: flags.days,
      seed: flags.seed,
      scenario: flags.scenario as Scenario,
      start: parseInstantFlag('start', flags.start) as number,
      now: Date.now(),
      progress: startProgress('generating', {enabled: !this.jsonEnabled()}),
    })
    if (!this.jsonEnabled()) {
      const {renderGenerate} = await import('../../ui/events/events-text.js')
      this.log(renderGenerate(result))
    }
    return result
  }
}
