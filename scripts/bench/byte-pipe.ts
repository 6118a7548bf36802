// The floor any Node.js proxy pays: accept a client, open a socket to the server, and pipe bytes
// both ways without looking at them. Run as its own process so its CPU time can be measured.
//   node scripts/bench/byte-pipe.ts <listen port, 0 = any> <target host> <target port>
// Prints "listening <port>" on stdout once it accepts connections.
import net from 'node:net';

const [listenArg = '0', targetHost = '127.0.0.1', targetPortArg] = process.argv.slice(2);
const targetPort = Number(targetPortArg);
if (!Number.isInteger(targetPort) || targetPort <= 0) {
  process.stderr.write('usage: byte-pipe.ts <listen port> <target host> <target port>\n');
  process.exit(2);
}

const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: targetHost, port: targetPort, noDelay: true });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});

server.listen({ host: '127.0.0.1', port: Number(listenArg) }, () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});

// Open connections would keep server.close() waiting; nothing here needs a graceful end.
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
