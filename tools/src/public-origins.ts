// Every URL the embedded start hands to clients (browsers, a phone on the LAN) is built here from one setting,
// PUBLIC_HOST: the name or address at which other devices reach this machine.
import { isIP } from 'node:net';

export interface PublicOriginInput {
  /** PUBLIC_HOST: `localhost` (this machine only) or e.g. the LAN address `192.168.1.20`. */
  readonly host: string;
  readonly gatewayPort: number;
  /** The embedded S3 API's port; null when S3_ENDPOINT points at a real S3. */
  readonly s3Port: number | null;
  /** Port of the customer web app (Expo's dev server: 8081). */
  readonly appPort: number;
}

export interface PublicOrigins {
  /** The gateway (GraphQL over HTTP and graphql-ws, the explorer); the only service other devices talk to. */
  readonly gateway: string;
  /** The embedded S3 API, for presigned upload and download URLs (S3_PUBLIC_ENDPOINT); null with a real S3. */
  readonly s3: string | null;
  /** The web app, for links in emails (auth's APP_URL). */
  readonly app: string;
}

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost']);

/** Whether only this machine can reach `host` (then nothing needs to listen beyond loopback). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** `host` as it goes into a URL (an IPv6 literal in brackets). */
const urlHost = (host: string): string => (isIP(host) === 6 ? `[${host}]` : host);

export function publicOrigins(input: PublicOriginInput): PublicOrigins {
  const origin = (port: number) => `http://${urlHost(input.host)}:${port}`;
  return {
    gateway: origin(input.gatewayPort),
    s3: input.s3Port === null ? null : origin(input.s3Port),
    app: origin(input.appPort),
  };
}
