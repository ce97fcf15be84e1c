-- DropIndex
DROP INDEX "notification_event_id_key";

-- CreateIndex
CREATE UNIQUE INDEX "notification_user_id_event_id_key" ON "notification"("user_id", "event_id");

