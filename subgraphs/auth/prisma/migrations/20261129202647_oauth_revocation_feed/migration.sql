-- CreateIndex
CREATE INDEX "oauth_client_revoked_at_idx" ON "oauth_client"("revoked_at");

-- CreateIndex
CREATE INDEX "oauth_revoked_token_revoked_at_idx" ON "oauth_revoked_token"("revoked_at");

-- Rows of clients deleted with their partner account would break the new foreign key; they revoke nothing any more.
DELETE FROM "oauth_revoked_token" t WHERE NOT EXISTS (SELECT 1 FROM "oauth_client" c WHERE c."id" = t."client_id");

-- AddForeignKey
ALTER TABLE "oauth_revoked_token" ADD CONSTRAINT "oauth_revoked_token_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "oauth_client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

