import type { Logger } from 'pino';
import { z } from 'zod';
import {
  badInput,
  topics,
  isUuid,
  unauthenticated,
  type ServiceEvents,
  type UserDataErased,
  type UserDeleted,
} from '@vegshare/kit';
import { AUTH_SCHEMA, type AuthDb } from '../db.ts';
import type { Outbox } from './outbox.ts';
import type { PasswordService } from './passwords/hasher.ts';
import type { AuthRateLimits } from './rate-limits.ts';
import type { RequestMeta } from '../adapters/http/request-meta.ts';
import type { AccessRevocations } from './revocations.ts';
import { auditLogin } from './audit.ts';

export interface AccountDeletionDeps {
  readonly db: AuthDb;
  readonly passwords: PasswordService;
  readonly limits: AuthRateLimits;
  readonly outbox: Outbox;
  /** Durable events: UserDeleted out (outbox), UserDataErased in (durable consumer `auth.erasure-acks`). */
  readonly events: ServiceEvents;
  /** Ends the deleted account's still-valid access tokens in every service (its sessions and keys cascade away). */
  readonly revocations: AccessRevocations;
  readonly logger: Logger;
  readonly appUrl: string;
  /** Services that must acknowledge the erasure (ACCOUNT_ERASURE_SERVICES). */
  readonly services: readonly string[];
  readonly republishMs: number;
}

const ackSchema = z.object({ userId: z.string().refine(isUuid), service: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/) });

/** The confirmation mail, in English and Russian (auth does not know the profile's language). */
function confirmation(appUrl: string): { subject: string; body: string } {
  return {
    subject: 'Your VegShare account was deleted · Ваш аккаунт VegShare удалён',
    body:
      `Your VegShare account and the personal data attached to it have been deleted at your request. ` +
      `Rentals that were still running were cancelled. You can create a new account at any time: ${appUrl}\n\n` +
      `Ваш аккаунт VegShare и связанные с ним персональные данные удалены по вашему запросу. ` +
      `Действующие аренды отменены. Вы можете в любой момент создать новый аккаунт: ${appUrl}\n`,
  };
}

/**
 * In-app account deletion (an App Store and Google Play requirement): after the password is confirmed, the account,
 * its sessions, tokens, API keys, pending mail and sign-in audit are deleted in one transaction with a confirmation
 * mail queued in the outbox, and UserDeleted is published. Every service holding personal data erases or anonymises it
 * and answers UserDataErased; until all of ACCOUNT_ERASURE_SERVICES did, UserDeleted is published again
 * (pub/sub is at-most-once, so a service that was down still hears of it).
 */
export class AccountDeletions {
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AccountDeletionDeps) {}

  async deleteAccount(userId: string, password: string, meta: RequestMeta): Promise<boolean> {
    const { db } = this.deps;
    const user = await db.user.findUnique({ where: { id: userId } });
    if (!user) throw unauthenticated();
    await this.deps.limits.assertAccountOpen(user.email);
    const check = await this.deps.passwords.verify(user.passwordHash, password);
    if (!check.ok) {
      await this.deps.limits.accountFailure(user.email);
      await auditLogin(db, { email: user.email, userId, outcome: 'BAD_CREDENTIALS', meta });
      throw badInput('The password is incorrect', 'password');
    }
    const { subject, body } = confirmation(this.deps.appUrl);
    const deletion = await db.$transaction(async (tx) => {
      const row = await tx.accountDeletion.create({ data: { userId } });
      await tx.outboxMessage.deleteMany({ where: { recipient: user.email } });
      await tx.loginAudit.deleteMany({ where: { OR: [{ userId }, { email: user.email }] } });
      await this.deps.outbox.enqueue(tx, {
        kind: 'ACCOUNT_DELETED',
        to: user.email,
        subject,
        body,
        link: this.deps.appUrl,
      });
      await tx.user.delete({ where: { id: userId } }); // sessions, refresh and one-time tokens, API keys cascade
      await this.deps.events.enqueue(tx, topics.userDeleted, { userId, deletedAt: row.deletedAt.toISOString() });
      return row;
    });
    this.deps.logger.info({ userId }, 'account deleted');
    await this.deps.revocations.accountDeleted(userId, deletion.deletedAt);
    return true;
  }

  /** Listens for acknowledgements and re-publishes unfinished deletions every `republishMs`. */
  async start(): Promise<void> {
    // Naturally idempotent: a service already in erased_by is not added again.
    await this.deps.events.consume('erasure-acks', topics.userDataErased, async (payload) => {
      const ack = ackSchema.safeParse(payload);
      if (ack.success) await this.acknowledge(ack.data);
    });
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.republishDue()
          .catch((err: unknown) => this.deps.logger.error({ err }, 're-publishing account deletions failed'))
          .finally(() => {
            if (this.#timer) tick();
          });
      }, this.deps.republishMs);
      this.#timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Records that a service erased the account's data; completes the deletion when every expected service did. */
  async acknowledge(ack: UserDataErased): Promise<void> {
    const t = `"${AUTH_SCHEMA}".account_deletion`;
    await this.deps.db.$executeRawUnsafe(
      `UPDATE ${t} SET erased_by = array_append(erased_by, $2)
        WHERE user_id = $1::uuid AND NOT ($2 = ANY(erased_by))`,
      ack.userId,
      ack.service,
    );
    await this.deps.db.$executeRawUnsafe(
      `UPDATE ${t} SET completed_at = now() WHERE user_id = $1::uuid AND completed_at IS NULL AND erased_by @> $2::text[]`,
      ack.userId,
      [...this.deps.services],
    );
  }

  /** Publishes UserDeleted again for deletions some service has not acknowledged yet. */
  async republishDue(): Promise<number> {
    const due = await this.deps.db.accountDeletion.findMany({
      where: { completedAt: null, lastSentAt: { lt: new Date(Date.now() - this.deps.republishMs) } },
      orderBy: { lastSentAt: 'asc' },
      take: 100,
    });
    for (const row of due) {
      this.deps.logger.warn(
        { userId: row.userId, erasedBy: row.erasedBy },
        'account erasure not acknowledged by every service yet; publishing again',
      );
      await this.#publish(row.userId, row.deletedAt);
    }
    return due.length;
  }

  async #publish(userId: string, deletedAt: Date): Promise<void> {
    try {
      await this.deps.db.$transaction(async (tx) => {
        await this.deps.events.enqueue(tx, topics.userDeleted, { userId, deletedAt: deletedAt.toISOString() });
        await tx.accountDeletion.update({ where: { userId }, data: { lastSentAt: new Date() } });
      });
    } catch (err) {
      this.deps.logger.warn({ err, userId }, 'publishing UserDeleted failed; it is retried');
    }
  }
}
