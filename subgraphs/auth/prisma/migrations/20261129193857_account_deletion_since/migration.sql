-- CreateIndex
CREATE INDEX "account_deletion_deleted_at_idx" ON "account_deletion"("deleted_at");

