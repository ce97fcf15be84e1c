// A child process running node-media-server's RTMP server only (no HTTP, no admin console): its module keeps global
// state and logs to stdout, so it lives apart from the process that starts it. argv: <port> <dataDir>.
// Prints "ready" once it accepts connections; exits on SIGTERM.
const net = require('node:net');
const NodeMediaServer = require('node-media-server');
const port = Number(process.argv[2]);
const nms = new NodeMediaServer({
  bind: '127.0.0.1',
  rtmp: { port, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  store: { path: process.argv[3] },
  webadmin: { enable: false },
});
void nms.run();
const probe = () => {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.destroy();
    process.stdout.write('ready\n');
  });
  socket.on('error', () => setTimeout(probe, 50));
};
probe();
process.on('SIGTERM', () => {
  Promise.resolve(nms.stop()).finally(() => process.exit(0));
});
