const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Whether an address (a socket's `remoteAddress`, a resolved client IP) is this machine's loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return LOOPBACK.test(address ?? '');
}
