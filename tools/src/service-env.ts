// How the embedded start configures each service from one environment: every variable a service's env.ts reads can be
// set, either plainly (for every service that reads it) or with the service's prefix (for that service only).

export type Env = Readonly<Record<string, string>>;

/** `AUTH_`, `USER_`, `FARM_`, `STREAMING_`, `TRANSCODING_`, `GATEWAY_`: the prefix of a service's own variables. */
export const servicePrefix = (service: string): string => `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;

export interface ServiceEnvLayers {
  /** Values the start derives (from PUBLIC_HOST…), used unless the user sets the variable. */
  readonly defaults?: Env;
  /** Values the start must decide (ports, addresses, secrets, URLs between services): the user cannot override them. */
  readonly wiring?: Env;
}

/**
 * The environment of one service, from lowest to highest precedence: the start's derived defaults, every plain
 * variable of `source` (a service ignores the ones it does not read), then `<SERVICE>_<NAME>` from `source` as `NAME`
 * for that service only, then the start's wiring. So `LOG_LEVEL=debug` applies to every service and
 * `AUTH_LOG_LEVEL=warn` only to auth; `TRANSCODING_FFMPEG_PATH` and `FFMPEG_PATH` both reach transcoding.
 */
export function serviceEnv(
  service: string,
  source: Readonly<Record<string, string | undefined>>,
  layers: ServiceEnvLayers = {},
): Record<string, string> {
  const prefix = servicePrefix(service);
  const env: Record<string, string> = { ...layers.defaults };
  const prefixed: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    env[key] = value;
    if (key.startsWith(prefix) && key.length > prefix.length) prefixed[key.slice(prefix.length)] = value;
  }
  return { ...env, ...prefixed, ...layers.wiring };
}
