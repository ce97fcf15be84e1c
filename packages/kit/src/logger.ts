import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** One structured JSON logger per service, tagged with the service's name. Secrets in headers are redacted. */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-gateway-secret"]',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
