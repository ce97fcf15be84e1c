import { z } from 'zod';
import { ProviderError } from './provider.ts';

/**
 * A small typed client of YooKassa's REST API v3 (https://yookassa.ru/developers/api): payments, capture, cancel,
 * refunds and 54-FZ receipt data. HTTP Basic auth with the shop id and secret key; every POST carries an
 * `Idempotence-Key`; answers are validated with zod so that a changed or hostile response never reaches our state.
 * Documented behaviours: a 202 or 5xx means "not known yet, repeat with the same key"; 429 means too many requests.
 */
export interface YooKassaClientOptions {
  readonly shopId: string;
  readonly secretKey: string;
  /** https://api.yookassa.ru/v3 (a local server in tests and the embedded sandbox). */
  readonly apiUrl: string;
  readonly timeoutMs: number;
}

const amount = z.object({ value: z.string().max(20), currency: z.string().length(3) });

const yooPaymentSchema = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(['pending', 'waiting_for_capture', 'succeeded', 'canceled']),
  paid: z.boolean(),
  amount,
  description: z.string().max(128).optional(),
  confirmation: z
    .object({
      type: z.string().max(32),
      confirmation_url: z.string().url().max(2048).optional(),
      confirmation_token: z.string().max(512).optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.string().max(512)).optional(),
  cancellation_details: z.object({ party: z.string().max(64), reason: z.string().max(128) }).optional(),
  refunded_amount: amount.optional(),
  created_at: z.string().max(40),
  captured_at: z.string().max(40).optional(),
  test: z.boolean().optional(),
});
export type YooPayment = z.infer<typeof yooPaymentSchema>;

const yooRefundSchema = z.object({
  id: z.string().min(1).max(64),
  payment_id: z.string().min(1).max(64),
  status: z.enum(['pending', 'succeeded', 'canceled']),
  amount,
  created_at: z.string().max(40),
  description: z.string().max(250).optional(),
});
export type YooRefund = z.infer<typeof yooRefundSchema>;

const yooErrorSchema = z.object({
  type: z.literal('error'),
  code: z.string().max(64).optional(),
  description: z.string().max(1000).optional(),
});

export interface YooReceipt {
  readonly customer: { readonly email: string };
  readonly items: readonly {
    readonly description: string;
    readonly quantity: string;
    readonly amount: { readonly value: string; readonly currency: string };
    readonly vat_code: number;
    readonly payment_subject: string;
    readonly payment_mode: string;
  }[];
}

export interface YooCreatePayment {
  readonly amount: { readonly value: string; readonly currency: string };
  readonly capture: boolean;
  readonly confirmation: { readonly type: 'redirect'; readonly return_url: string } | { readonly type: 'embedded' };
  readonly description: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly receipt?: YooReceipt;
}

export interface YooCreateRefund {
  readonly payment_id: string;
  readonly amount: { readonly value: string; readonly currency: string };
  readonly description: string;
  readonly receipt?: YooReceipt;
}

export class YooKassaClient {
  readonly #base: string;
  readonly #auth: string;

  constructor(private readonly options: YooKassaClientOptions) {
    this.#base = options.apiUrl.replace(/\/+$/, '');
    this.#auth = `Basic ${Buffer.from(`${options.shopId}:${options.secretKey}`).toString('base64')}`;
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    idempotenceKey?: string,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: this.#auth, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotenceKey) headers['idempotence-key'] = idempotenceKey;
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new ProviderError(
        `YooKassa: ${timedOut ? `no answer within ${this.options.timeoutMs} ms` : 'connection failed'}`,
        true,
      );
    }
    const text = await res.text();
    if (res.status === 202 || res.status >= 500 || res.status === 429) {
      throw new ProviderError(`YooKassa: HTTP ${res.status}, to be repeated with the same key`, true, res.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderError(`YooKassa: HTTP ${res.status} with a body that is not JSON`, res.ok, res.status);
    }
    if (!res.ok) {
      const parsed = yooErrorSchema.safeParse(json);
      const code = parsed.success ? (parsed.data.code ?? null) : null;
      throw new ProviderError(
        `YooKassa: HTTP ${res.status} ${code ?? ''} ${parsed.success ? (parsed.data.description ?? '') : ''}`.trim(),
        false,
        res.status,
        code,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ProviderError(`YooKassa: unexpected answer to ${method} ${path}`, false, res.status);
    return parsed.data;
  }

  createPayment(body: YooCreatePayment, idempotenceKey: string): Promise<YooPayment> {
    return this.#request('POST', '/payments', yooPaymentSchema, body, idempotenceKey);
  }

  getPayment(id: string): Promise<YooPayment> {
    return this.#request('GET', `/payments/${encodeURIComponent(id)}`, yooPaymentSchema);
  }

  capturePayment(
    id: string,
    body: { readonly amount: { readonly value: string; readonly currency: string } },
    idempotenceKey: string,
  ): Promise<YooPayment> {
    return this.#request('POST', `/payments/${encodeURIComponent(id)}/capture`, yooPaymentSchema, body, idempotenceKey);
  }

  cancelPayment(id: string, idempotenceKey: string): Promise<YooPayment> {
    return this.#request('POST', `/payments/${encodeURIComponent(id)}/cancel`, yooPaymentSchema, {}, idempotenceKey);
  }

  createRefund(body: YooCreateRefund, idempotenceKey: string): Promise<YooRefund> {
    return this.#request('POST', '/refunds', yooRefundSchema, body, idempotenceKey);
  }

  getRefund(id: string): Promise<YooRefund> {
    return this.#request('GET', `/refunds/${encodeURIComponent(id)}`, yooRefundSchema);
  }
}
