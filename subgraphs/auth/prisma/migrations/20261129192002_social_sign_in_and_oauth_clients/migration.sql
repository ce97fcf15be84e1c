-- AlterTable
ALTER TABLE "user" ALTER COLUMN "password_hash" DROP NOT NULL;

-- AlterTable
ALTER TABLE "login_audit" ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'password';

-- CreateTable
CREATE TABLE "social_identity" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "private_email" BOOLEAN NOT NULL DEFAULT false,
    "display_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "social_identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "social_auth_request" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "link_user_id" UUID,
    "posted_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "social_auth_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "social_link_ticket" (
    "id" UUID NOT NULL,
    "ticket_hash" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "private_email" BOOLEAN NOT NULL DEFAULT false,
    "display_name" TEXT,
    "user_id" UUID,
    "code_hash" TEXT,
    "code_email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "social_link_ticket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_client" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "partner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT[],
    "auth_method" TEXT NOT NULL,
    "secret_hash" TEXT,
    "jwks" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "oauth_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_revoked_token" (
    "jti" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_revoked_token_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "oauth_assertion" (
    "client_id" UUID NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_assertion_pkey" PRIMARY KEY ("client_id","jti")
);

-- CreateIndex
CREATE INDEX "social_identity_user_id_idx" ON "social_identity"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "social_identity_provider_subject_key" ON "social_identity"("provider", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "social_auth_request_state_hash_key" ON "social_auth_request"("state_hash");

-- CreateIndex
CREATE INDEX "social_auth_request_expires_at_idx" ON "social_auth_request"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "social_link_ticket_ticket_hash_key" ON "social_link_ticket"("ticket_hash");

-- CreateIndex
CREATE UNIQUE INDEX "social_link_ticket_code_hash_key" ON "social_link_ticket"("code_hash");

-- CreateIndex
CREATE INDEX "social_link_ticket_expires_at_idx" ON "social_link_ticket"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_client_client_id_key" ON "oauth_client"("client_id");

-- CreateIndex
CREATE INDEX "oauth_client_partner_id_idx" ON "oauth_client"("partner_id");

-- CreateIndex
CREATE INDEX "oauth_revoked_token_expires_at_idx" ON "oauth_revoked_token"("expires_at");

-- CreateIndex
CREATE INDEX "oauth_assertion_expires_at_idx" ON "oauth_assertion"("expires_at");

-- AddForeignKey
ALTER TABLE "social_identity" ADD CONSTRAINT "social_identity_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_client" ADD CONSTRAINT "oauth_client_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

