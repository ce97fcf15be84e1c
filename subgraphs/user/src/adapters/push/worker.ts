import type { Expo, ExpoPushMessage, ExpoPushReceipt, ExpoPushTicket } from 'expo-server-sdk';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@vegshare/kit';
import { USER_SCHEMA, type UserDb } from '../../db.ts';
import { forgetDeadTokens } from '../../domain/push-devices.ts';

export interface PushWorkerOptions {
  readonly pollMs: number;
  readonly receiptDelayMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxAttempts: number;
  /** Messages claimed per round (sent in chunks of 100, Expo's limit). */
  readonly batchSize?: number;
  /** A claim is held this long; a replica that dies mid-send leaves the message to be retried after it. */
  readonly leaseMs?: number;
}

interface Claimed {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly data: Record<string, unknown>;
  readonly attempts: number;
  readonly ticketId: string | null;
  readonly token: string;
}

type Outcome = 'sent' | 'delivered' | 'failed' | 'retried' | 'dead_token';

/**
 * Sends queued pushes through the Expo push API and checks their receipts. Every replica may run one: due messages are
 * claimed with FOR UPDATE SKIP LOCKED under a lease, so no message is sent twice by two replicas, and one left by a
 * crashed replica is sent again after the lease. Failures are retried with exponential back-off and jitter; tokens the
 * push service reports dead (DeviceNotRegistered, in a ticket or a receipt) are forgotten with their queued pushes.
 */
export class PushWorker {
  readonly #batch: number;
  readonly #leaseMs: number;
  readonly #outcomes;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #lastCleanup = 0;

  constructor(
    private readonly db: UserDb,
    private readonly expo: Expo,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
    private readonly options: PushWorkerOptions,
  ) {
    this.#batch = options.batchSize ?? 500;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#outcomes = metrics.counter(
      'user_push_messages_total',
      'Push messages by outcome (sent, delivered, failed, retried, dead_token)',
      ['outcome'],
    );
  }

  start(): void {
    this.#schedule(0);
  }

  /** New pushes were queued: look now rather than at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round: send what is due, then check due receipts. Returns how many messages were handled. */
  async runOnce(): Promise<number> {
    const sent = await this.#sendDue();
    const checked = await this.#checkReceipts();
    await this.#cleanup();
    return sent + checked;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.runOnce()
        .then((handled) => {
          // A full batch means more may be due already.
          if (handled >= this.#batch) this.#again = true;
        })
        .catch((err: unknown) => this.logger.error({ err }, 'push round failed'))
        .finally(() => {
          this.#running = null;
          const again = this.#again;
          this.#again = false;
          this.#schedule(again ? 0 : this.options.pollMs);
        });
    }, ms);
    this.#timer.unref();
  }

  #backoff(attempts: number): Date {
    const base = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return new Date(Date.now() + Math.round(base * (0.5 + Math.random() / 2)));
  }

  async #claim(status: 'PENDING' | 'SENT'): Promise<Claimed[]> {
    const t = `"${USER_SCHEMA}"`;
    return this.db.$queryRawUnsafe<Claimed[]>(
      `UPDATE ${t}.push_message m
          SET next_attempt_at = now() + ($2 || ' milliseconds')::interval, attempts = m.attempts + 1, updated_at = now()
         FROM ${t}.push_device d
        WHERE d.id = m.device_id
          AND m.id IN (SELECT id FROM ${t}.push_message
                        WHERE status = $1 AND next_attempt_at <= now()
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.title, m.body, m.data, m.attempts, m.ticket_id AS "ticketId", d.token`,
      status,
      String(this.#leaseMs),
      this.#batch,
    );
  }

  async #retryOrFail(messages: readonly Claimed[], error: string): Promise<void> {
    for (const m of messages) {
      if (m.attempts >= this.options.maxAttempts) {
        await this.db.pushMessage.updateMany({ where: { id: m.id }, data: { status: 'FAILED', error } });
        this.#outcomes.inc({ outcome: 'failed' });
      } else {
        await this.db.pushMessage.updateMany({
          where: { id: m.id },
          data: { status: 'PENDING', nextAttemptAt: this.#backoff(m.attempts), error },
        });
        this.#outcomes.inc({ outcome: 'retried' });
      }
    }
  }

  async #forget(tokens: string[]): Promise<void> {
    const removed = await forgetDeadTokens(this.db, tokens);
    if (removed) this.logger.info({ removed }, 'forgot devices the push service reported as no longer registered');
    this.#outcomes.inc({ outcome: 'dead_token' }, tokens.length);
  }

  async #sendDue(): Promise<number> {
    const due = await this.#claim('PENDING');
    if (due.length === 0) return 0;
    const messages: ExpoPushMessage[] = due.map((m) => ({
      to: m.token,
      title: m.title,
      body: m.body,
      data: m.data,
      sound: 'default',
      priority: 'high',
      channelId: 'default',
    }));
    let offset = 0;
    for (const chunk of this.expo.chunkPushNotifications(messages)) {
      const claimed = due.slice(offset, offset + chunk.length);
      offset += chunk.length;
      let tickets: ExpoPushTicket[];
      try {
        tickets = await this.expo.sendPushNotificationsAsync(chunk);
      } catch (err) {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err), count: claimed.length },
          'push send failed; retrying later',
        );
        await this.#retryOrFail(claimed, err instanceof Error ? err.message.slice(0, 500) : 'send failed');
        continue;
      }
      const dead: string[] = [];
      const retry: Claimed[] = [];
      for (const [i, m] of claimed.entries()) {
        const ticket = tickets[i];
        if (ticket?.status === 'ok') {
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: {
              status: 'SENT',
              ticketId: ticket.id,
              attempts: 0,
              error: null,
              nextAttemptAt: new Date(Date.now() + this.options.receiptDelayMs),
            },
          });
          this.#outcomes.inc({ outcome: 'sent' });
        } else if (ticket?.details?.error === 'DeviceNotRegistered') dead.push(m.token);
        else if (!ticket || ticket.details?.error === 'MessageRateExceeded') retry.push(m);
        else {
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: { status: 'FAILED', error: `${ticket.details?.error ?? 'error'}: ${ticket.message}`.slice(0, 500) },
          });
          this.#outcomes.inc({ outcome: 'failed' });
        }
      }
      if (retry.length) await this.#retryOrFail(retry, 'rate limited or no ticket');
      if (dead.length) await this.#forget(dead);
    }
    return due.length;
  }

  async #checkReceipts(): Promise<number> {
    const due = (await this.#claim('SENT')).filter((m) => m.ticketId);
    if (due.length === 0) return 0;
    const byTicket = new Map(due.map((m) => [m.ticketId!, m]));
    for (const ids of this.expo.chunkPushNotificationReceiptIds([...byTicket.keys()])) {
      let receipts: Record<string, ExpoPushReceipt>;
      try {
        receipts = await this.expo.getPushNotificationReceiptsAsync(ids);
      } catch (err) {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'push receipts unavailable; asking again later',
        );
        for (const id of ids) {
          const m = byTicket.get(id)!;
          const giveUp = m.attempts >= this.options.maxAttempts;
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: giveUp
              ? { status: 'FAILED', error: 'receipt never available' }
              : { nextAttemptAt: this.#backoff(m.attempts) },
          });
        }
        continue;
      }
      const dead: string[] = [];
      for (const id of ids) {
        const m = byTicket.get(id)!;
        const receipt = receipts[id];
        if (!receipt) {
          // Not ready yet (or expired): ask again later, up to the attempt limit.
          const giveUp = m.attempts >= this.options.maxAttempts;
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: giveUp ? { status: 'FAILED', error: 'no receipt' } : { nextAttemptAt: this.#backoff(m.attempts) },
          });
          if (giveUp) this.#outcomes.inc({ outcome: 'failed' });
        } else if (receipt.status === 'ok') {
          await this.db.pushMessage.updateMany({ where: { id: m.id }, data: { status: 'DELIVERED' } });
          this.#outcomes.inc({ outcome: 'delivered' });
        } else if (receipt.details?.error === 'DeviceNotRegistered') dead.push(m.token);
        else if (receipt.details?.error === 'MessageRateExceeded') {
          // Not delivered: send it again after a pause.
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: {
              status: 'PENDING',
              ticketId: null,
              attempts: 1,
              nextAttemptAt: this.#backoff(1),
              error: 'MessageRateExceeded',
            },
          });
          this.#outcomes.inc({ outcome: 'retried' });
        } else {
          await this.db.pushMessage.updateMany({
            where: { id: m.id },
            data: { status: 'FAILED', error: `${receipt.details?.error ?? 'error'}: ${receipt.message}`.slice(0, 500) },
          });
          this.#outcomes.inc({ outcome: 'failed' });
        }
      }
      if (dead.length) await this.#forget(dead);
    }
    return due.length;
  }

  /** Finished messages are kept a week for support, then dropped. */
  async #cleanup(): Promise<void> {
    if (Date.now() - this.#lastCleanup < 3_600_000) return;
    this.#lastCleanup = Date.now();
    await this.db.pushMessage.deleteMany({
      where: { status: { in: ['DELIVERED', 'FAILED'] }, updatedAt: { lt: new Date(Date.now() - 7 * 86_400_000) } },
    });
  }
}
