import type { Logger } from 'pino';
import type { AuthDb } from '../db.ts';

export interface OutgoingMail {
  readonly kind: 'EMAIL_VERIFICATION' | 'PASSWORD_RESET' | 'ACCOUNT_EXISTS' | 'ACCOUNT_DELETED' | 'SOCIAL_LINK';
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** The action link, logged only in development (it carries a secret token). */
  readonly link: string;
}

type Tx = Pick<AuthDb, 'outboxMessage'>;

/**
 * Transactional outbox: mail is a row written with the change that caused it; a mailer process (not part of
 * this slice) delivers rows with `sentAt` null. In development the dev mailbox route and the log show them.
 */
export class Outbox {
  constructor(
    private readonly logger: Logger,
    private readonly logLinks: boolean,
  ) {}

  async enqueue(tx: Tx, mail: OutgoingMail): Promise<void> {
    await tx.outboxMessage.create({
      data: { kind: mail.kind, recipient: mail.to, subject: mail.subject, body: mail.body },
    });
    if (this.logLinks) this.logger.info({ to: mail.to, kind: mail.kind, link: mail.link }, `outbox: ${mail.subject}`);
    else this.logger.info({ kind: mail.kind }, 'outbox: mail queued');
  }
}

/** The dev mailbox: the newest messages to one address. */
export function mailboxOf(db: AuthDb, email: string) {
  return db.outboxMessage.findMany({
    where: { recipient: email.trim().toLowerCase() },
    orderBy: { createdAt: 'desc' },
    take: 50,
    select: { id: true, kind: true, recipient: true, subject: true, body: true, createdAt: true },
  });
}
