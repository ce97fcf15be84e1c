-- AlterTable
ALTER TABLE "transcode_job" ADD COLUMN     "camera_online" BOOLEAN,
ADD COLUMN     "farm_id" UUID,
ADD COLUMN     "live_status" TEXT,
ADD COLUMN     "renditions" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "worker_node" ADD COLUMN     "cpu_budget" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "cpu_used" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- DropTable
DROP TABLE "timelapse";

-- CreateTable
CREATE TABLE "live_segment" (
    "job_id" UUID NOT NULL,
    "rendition" TEXT NOT NULL,
    "msn" INTEGER NOT NULL,
    "duration" DOUBLE PRECISION NOT NULL,
    "program_date_time" TIMESTAMPTZ(3) NOT NULL,
    "discontinuity" BOOLEAN NOT NULL,
    "map" TEXT NOT NULL,
    "independent" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_segment_pkey" PRIMARY KEY ("job_id","rendition","msn")
);

-- CreateTable
CREATE TABLE "vod_upload" (
    "id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "camera_id" UUID,
    "requested_by" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "job_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vod_upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "camera_farm" (
    "camera_id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "camera_farm_pkey" PRIMARY KEY ("camera_id")
);

-- CreateTable
CREATE TABLE "farm_owner" (
    "farm_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "farm_owner_pkey" PRIMARY KEY ("farm_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "vod_upload_key_key" ON "vod_upload"("key");

-- CreateIndex
CREATE UNIQUE INDEX "vod_upload_job_id_key" ON "vod_upload"("job_id");

-- CreateIndex
CREATE INDEX "vod_upload_farm_id_created_at_idx" ON "vod_upload"("farm_id", "created_at");

-- CreateIndex
CREATE INDEX "camera_farm_farm_id_idx" ON "camera_farm"("farm_id");

-- CreateIndex
CREATE INDEX "farm_owner_owner_id_idx" ON "farm_owner"("owner_id");

-- CreateIndex
CREATE INDEX "transcode_job_farm_id_created_at_idx" ON "transcode_job"("farm_id", "created_at");

