-- CreateTable
CREATE TABLE "push_device" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "push_message" (
    "id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "notification_id" UUID,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ticket_id" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "push_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deleted_user" (
    "id" UUID NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deleted_user_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "push_device_token_key" ON "push_device"("token");

-- CreateIndex
CREATE INDEX "push_device_user_id_last_seen_at_idx" ON "push_device"("user_id", "last_seen_at");

-- CreateIndex
CREATE INDEX "push_message_status_next_attempt_at_idx" ON "push_message"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "push_message_device_id_idx" ON "push_message"("device_id");

-- AddForeignKey
ALTER TABLE "push_message" ADD CONSTRAINT "push_message_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "push_device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

