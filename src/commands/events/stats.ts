import {Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {storePath} from '../../cli/project-context.js'
import {requireConfig} from '../../core/project/config.js'
import {openEventStore} from '../../core/store/open-store.js'
import type {StoreStats} from '../../core/store/store-types.js'

export default class EventsStats extends JoeCommand<StoreStats & {store: string}> {
  static override summary = 'Summarize the event store: events, customers, types, time range'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml).', helpValue: 'PATH'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<StoreStats & {store: string}> {
    const {flags} = await this.parse(EventsStats)
    const path = storePath(await requireConfig(process.cwd(), flags.config), flags.store)
    const store = openEventStore(path, {readonly: true})
    try {
      const stats = store.stats()
      const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString())
      this.log(`store      ${path}`)
      this.log(`events     ${stats.events.toLocaleString('en-US')}`)
      this.log(`customers  ${stats.customers.toLocaleString('en-US')}`)
      this.log(`from       ${iso(stats.from)}`)
      this.log(`until      ${iso(stats.until)}`)
      this.log(`imports    ${stats.imports}`)
      const types = Object.entries(stats.types)
      if (types.length > 0) {
        this.log('types')
        const width = Math.max(...types.map(([t]) => t.length))
        for (const [type, count] of types) this.log(`  ${type.padEnd(width)}  ${count.toLocaleString('en-US')}`)
      }
      return {...stats, store: path}
    } finally {
      store.close()
    }
  }
}
