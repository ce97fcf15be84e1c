-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('PENDING', 'WAITING_FOR_CAPTURE', 'SUCCEEDED', 'CANCELED');

-- CreateEnum
CREATE TYPE "PaymentProvider" AS ENUM ('YOOKASSA', 'STRIPE');

-- CreateEnum
CREATE TYPE "BookingKind" AS ENUM ('RENTAL', 'ADOPTION');

-- CreateEnum
CREATE TYPE "RefundStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'CANCELED');

-- CreateEnum
CREATE TYPE "OutboxKind" AS ENUM ('CREATE_PAYMENT', 'CAPTURE_PAYMENT', 'CANCEL_PAYMENT', 'CREATE_REFUND');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "LedgerAccountKind" AS ENUM ('CUSTOMER', 'FARMER_PENDING', 'FARMER_AVAILABLE', 'PAYOUT_IN_TRANSIT', 'PAID_OUT', 'PLATFORM_COMMISSION');

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING', 'PAID');

-- CreateTable
CREATE TABLE "farm_account" (
    "farm_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "commission_bps" INTEGER,
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "refund_policy" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "farm_account_pkey" PRIMARY KEY ("farm_id")
);

-- CreateTable
CREATE TABLE "customer_contact" (
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_contact_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "booking_kind" "BookingKind" NOT NULL,
    "booking_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "farmer_id" UUID NOT NULL,
    "description" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "commission_bps" INTEGER NOT NULL,
    "provider" "PaymentProvider" NOT NULL,
    "provider_payment_id" TEXT,
    "provider_status" TEXT,
    "status" "PaymentStatus" NOT NULL DEFAULT 'PENDING',
    "confirmation_url" TEXT,
    "confirmation_token" TEXT,
    "client_secret" TEXT,
    "starts_on" DATE NOT NULL,
    "hold_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "capture_requested" BOOLEAN NOT NULL DEFAULT false,
    "release_reason" TEXT,
    "release_acked_at" TIMESTAMPTZ(3),
    "cancellation_reason" TEXT,
    "refunded_cents" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authorized_at" TIMESTAMPTZ(3),
    "paid_at" TIMESTAMPTZ(3),
    "canceled_at" TIMESTAMPTZ(3),
    "refunded_at" TIMESTAMPTZ(3),
    "released_to_farmer_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refund" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "RefundStatus" NOT NULL DEFAULT 'PENDING',
    "provider_refund_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "succeeded_at" TIMESTAMPTZ(3),

    CONSTRAINT "refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_command" (
    "id" UUID NOT NULL,
    "kind" "OutboxKind" NOT NULL,
    "payment_id" UUID NOT NULL,
    "refund_id" UUID,
    "idempotency_key" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_command_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_event" (
    "provider" "PaymentProvider" NOT NULL,
    "event_key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("provider","event_key")
);

-- CreateTable
CREATE TABLE "ledger_entry" (
    "id" UUID NOT NULL,
    "journal_id" UUID NOT NULL,
    "journal_kind" TEXT NOT NULL,
    "account_kind" "LedgerAccountKind" NOT NULL,
    "owner_id" UUID,
    "currency" CHAR(3) NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "payment_id" UUID,
    "refund_id" UUID,
    "payout_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout" (
    "id" UUID NOT NULL,
    "farmer_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "month" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "status" "PayoutStatus" NOT NULL DEFAULT 'PENDING',
    "reference" TEXT,
    "created_by_id" UUID NOT NULL,
    "paid_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "payout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "farm_account_owner_id_idx" ON "farm_account"("owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_provider_payment_id_key" ON "payment"("provider_payment_id");

-- CreateIndex
CREATE INDEX "payment_customer_id_created_at_idx" ON "payment"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_farmer_id_created_at_idx" ON "payment"("farmer_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_status_hold_expires_at_idx" ON "payment"("status", "hold_expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "payment_booking_kind_booking_id_key" ON "payment"("booking_kind", "booking_id");

-- CreateIndex
CREATE UNIQUE INDEX "refund_provider_refund_id_key" ON "refund"("provider_refund_id");

-- CreateIndex
CREATE INDEX "refund_payment_id_idx" ON "refund"("payment_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_command_idempotency_key_key" ON "outbox_command"("idempotency_key");

-- CreateIndex
CREATE INDEX "outbox_command_status_next_attempt_at_idx" ON "outbox_command"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_command_payment_id_idx" ON "outbox_command"("payment_id");

-- CreateIndex
CREATE INDEX "ledger_entry_account_kind_owner_id_currency_created_at_idx" ON "ledger_entry"("account_kind", "owner_id", "currency", "created_at");

-- CreateIndex
CREATE INDEX "ledger_entry_journal_id_idx" ON "ledger_entry"("journal_id");

-- CreateIndex
CREATE INDEX "ledger_entry_payment_id_idx" ON "ledger_entry"("payment_id");

-- CreateIndex
CREATE INDEX "payout_farmer_id_created_at_idx" ON "payout"("farmer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payout_farmer_id_currency_month_key" ON "payout"("farmer_id", "currency", "month");

-- AddForeignKey
ALTER TABLE "refund" ADD CONSTRAINT "refund_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

