import {Flags} from '@oclif/core'
import {configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {readPackageVersion} from '../cli/package-info.js'
import {requireConfig} from '../core/project/config.js'
import {type ServeResult, type ServeRole, startServe, stopServe} from '../core/runtime/serve.js'
import {renderServeStarted} from '../ui/runtime/runtime-text.js'

export default class Serve extends JoeCommand<ServeResult> {
  static override summary = "Run an environment's deployed journeys on live events"

  static override description =
    `One process that receives events over Segment's HTTP Tracking API (POST /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias, /v1/batch), moves each customer through the environment's active revisions on its clock (the same engine as \`joe simulate\`), and delivers the messages it decides through the channels' connectors. It picks up deploys, rollbacks, promotions, pauses and resumes as they land.

Write keys, the clock and the connectors come from the environment in joe.config.yaml. Logs are JSON lines on standard error; the stdout connector writes messages to standard output. GET /healthz and /readyz answer health checks, GET /metrics Prometheus. SIGTERM or Ctrl-C stops it cleanly: the transaction in hand finishes, nothing is lost.`

  static override examples = [
    {description: 'Serve the dev environment on the default port', command: '<%= config.bin %> <%= command.id %> --env dev'},
    {
      description: 'Listen on every interface, port 8080',
      command: '<%= config.bin %> <%= command.id %> --env prod --host 0.0.0.0 --port 8080',
    },
    {
      description: 'Send an event with curl (write key as the Basic auth user name)',
      command: `curl -u "$JOE_DEV_WRITE_KEY:" -H 'content-type: application/json' -d '{"userId":"c1","event":"cart_updated","properties":{"cart_value":80}}' http://127.0.0.1:8787/v1/track`,
    },
  ]

  static override flags = {
    env: envFlag,
    config: configFlag,
    port: Flags.integer({char: 'p', description: 'Port to listen on (0: any free port).', default: 8787, min: 0, max: 65_535}),
    host: Flags.string({description: 'Address to listen on.', default: '127.0.0.1', helpValue: 'ADDRESS'}),
    role: Flags.string({
      description:
        'What this process does: ingest (the HTTP API), worker (the engine), delivery (the outbox), or all of them. Run any number of each on a shared PostgreSQL store.',
      options: ['all', 'ingest', 'worker', 'delivery'],
      default: 'all',
    }),
    'log-level': Flags.string({
      description: 'Least severe log lines written to standard error (debug adds health checks and scrapes).',
      options: ['debug', 'info', 'warn', 'error', 'silent'],
      default: 'info',
    }),
  }

  async run(): Promise<ServeResult> {
    const {flags} = await this.parse(Serve)
    const level = flags['log-level']
    // Listen for the stop signal before starting: the worker's first batch runs while the server
    // starts, and a SIGTERM in that time would otherwise kill the process instead of stopping it.
    let stopBy: (signal: NodeJS.Signals) => void = () => {}
    const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
      stopBy = resolve
    })
    const onTerm = () => stopBy('SIGTERM')
    const onInt = () => stopBy('SIGINT')
    process.once('SIGTERM', onTerm)
    process.once('SIGINT', onInt)
    try {
      const running = await startServe({
        config: await requireConfig(process.cwd(), flags.config),
        env: flags.env,
        role: flags.role as ServeRole,
        vars: process.env,
        wall: () => Date.now(),
        host: flags.host,
        port: flags.port,
        write: (line) => process.stdout.write(line),
        ...(level === 'silent' ? {} : {logStream: process.stderr, logLevel: level}),
        userAgent: `joe/${await readPackageVersion()}`,
      })
      // On standard error: standard output carries what the stdout connector sends (and the --json result).
      if (!this.jsonEnabled()) process.stderr.write(`${renderServeStarted(running)}\n`)
      return await stopServe(running, await stopSignal)
    } finally {
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
    }
  }
}
