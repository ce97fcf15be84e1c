-- AlterTable
ALTER TABLE "user" ADD COLUMN     "pending_display_name" TEXT,
ADD COLUMN     "pending_sign_up" BOOLEAN NOT NULL DEFAULT false;

