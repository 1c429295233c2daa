import {Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {parseInstantFlag, storePath} from '../../cli/project-context.js'
import {requireConfig} from '../../core/project/config.js'
import {type GenerateResult, writeGeneratedEvents} from '../../core/store/generate-events.js'
import {SCENARIOS, type Scenario} from '../../core/store/generate-scenarios.js'
import {openEventStore} from '../../core/store/open-store.js'
import {startProgress} from '../../ui/progress.js'

export default class EventsGenerate extends JoeCommand<GenerateResult & {store: string}> {
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
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<GenerateResult & {store: string}> {
    const {flags} = await this.parse(EventsGenerate)
    const config = await requireConfig(process.cwd(), flags.config)
    const path = storePath(config, flags.store)
    const store = openEventStore(path)
    const progress = startProgress('generating', {enabled: !this.jsonEnabled()})
    try {
      const result = writeGeneratedEvents(store, {
        customers: flags.customers,
        days: flags.days,
        seed: flags.seed,
        scenario: flags.scenario as Scenario,
        start: parseInstantFlag('start', flags.start) as number,
        now: Date.now(),
        onProgress: (p) => progress.update(p.customers, flags.customers),
      })
      progress.stop()
      if (result.alreadyImported) this.log(`already generated with these options in ${path}; nothing to do`)
      else
        this.log(
          `generated ${result.events.toLocaleString('en-US')} events for ${result.customers.toLocaleString('en-US')} customers into ${path}`,
        )
      return {...result, store: path}
    } finally {
      progress.stop()
      store.close()
    }
  }
}
