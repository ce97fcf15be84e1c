-- AlterTable
ALTER TABLE "user" ADD COLUMN     "roles_changed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "user_roles_changed_at_idx" ON "user"("roles_changed_at");

-- CreateIndex
CREATE INDEX "session_revoked_at_idx" ON "session"("revoked_at");

-- CreateIndex
CREATE INDEX "api_key_revoked_at_idx" ON "api_key"("revoked_at");

