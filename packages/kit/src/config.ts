import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's config schema; the message is one line naming every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses `source` (normally `process.env`, read only by each service's env.ts) against `schema`.
 * All problems are reported at once, in one line: `Invalid configuration: PORT: expected a number; DATABASE_URL: required`.
 */
export function parseConfig<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const message = issue.code === 'invalid_type' && source[key] === undefined ? 'required' : issue.message;
    return `${key}: ${message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** The live event bus's Redis channel prefix when EVENT_PREFIX is not set. */
export const DEFAULT_EVENT_PREFIX = 'vegshare:';

/** Reusable field schemas for the variables most services share. */
export const configFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** A listen address: an IPv4/IPv6 address or a host name; `0.0.0.0` (every interface) by default. */
  host: z
    .string()
    .regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'expected an address such as 127.0.0.1 or 0.0.0.0')
    .default('0.0.0.0'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  url: z.string().url(),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL'),
  natsUrl: z
    .string()
    .regex(
      /^(nats|tls):\/\/[^,\s]+(,(nats|tls):\/\/[^,\s]+)*$/,
      'expected nats://host:port (comma-separated for a cluster)',
    ),
  secret: z.string().min(16, 'must be at least 16 characters'),
  /**
   * Redis channel prefix of the live event bus: every service and worker of one deployment must share it, and two
   * deployments on one Redis must not (their events — private ones among them — would reach each other's subscribers).
   */
  eventPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9_:.-]{1,64}$/, 'expected letters, digits and _:.- (e.g. vegshare-staging:)')
    .default(DEFAULT_EVENT_PREFIX),
  bool: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
};
