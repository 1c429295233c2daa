// A TCP proxy in front of a server (PostgreSQL in tests) whose link the test can cut and restore,
// to see what joe does when its store goes away and comes back.
import {connect, createServer, type Server, type Socket} from 'node:net'

export interface TcpProxy {
  port: number
  /** Ends every open connection, and ends each new one as soon as it opens. */
  cut(): void
  /** Lets connections through again. */
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(target: {host: string; port: number}): Promise<TcpProxy> {
  let open = true
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
  }
  const server: Server = createServer((client) => {
    track(client)
    if (!open) {
      client.destroy()
      return
    }
    const upstream = connect(target.port, target.host)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    cut() {
      open = false
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      open = true
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
