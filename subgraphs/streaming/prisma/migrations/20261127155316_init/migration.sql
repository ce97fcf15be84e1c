-- CreateEnum
CREATE TYPE "CameraHealth" AS ENUM ('ONLINE', 'OFFLINE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "StreamStatus" AS ENUM ('IDLE', 'STARTING', 'LIVE', 'RECONNECTING', 'ENDED', 'FAILED');

-- CreateEnum
CREATE TYPE "RentalStatus" AS ENUM ('REQUESTED', 'ACTIVE', 'ENDED', 'CANCELLED');

-- CreateTable
CREATE TABLE "farm_owner" (
    "farm_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "farm_owner_pkey" PRIMARY KEY ("farm_id")
);

-- CreateTable
CREATE TABLE "plot_rental" (
    "rental_id" UUID NOT NULL,
    "plot_id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "status" "RentalStatus" NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "plot_rental_pkey" PRIMARY KEY ("rental_id")
);

-- CreateTable
CREATE TABLE "camera" (
    "id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "plot_id" UUID,
    "name" TEXT NOT NULL,
    "source_url" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "health" "CameraHealth" NOT NULL DEFAULT 'UNKNOWN',
    "is_public" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "camera_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stream" (
    "id" UUID NOT NULL,
    "camera_id" UUID NOT NULL,
    "status" "StreamStatus" NOT NULL DEFAULT 'IDLE',
    "on_demand" BOOLEAN NOT NULL DEFAULT true,
    "job_id" TEXT,
    "master_playlist_key" TEXT,
    "renditions" TEXT[],
    "last_error" TEXT,
    "requested_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recording" (
    "id" UUID NOT NULL,
    "camera_id" UUID NOT NULL,
    "stream_id" UUID NOT NULL,
    "job_id" TEXT NOT NULL,
    "master_playlist_key" TEXT NOT NULL,
    "renditions" TEXT[],
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "recording_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "farm_owner_owner_id_idx" ON "farm_owner"("owner_id");

-- CreateIndex
CREATE INDEX "plot_rental_plot_id_customer_id_idx" ON "plot_rental"("plot_id", "customer_id");

-- CreateIndex
CREATE INDEX "camera_farm_id_idx" ON "camera"("farm_id");

-- CreateIndex
CREATE INDEX "camera_plot_id_idx" ON "camera"("plot_id");

-- CreateIndex
CREATE UNIQUE INDEX "stream_camera_id_key" ON "stream"("camera_id");

-- CreateIndex
CREATE INDEX "stream_status_idx" ON "stream"("status");

-- CreateIndex
CREATE UNIQUE INDEX "recording_job_id_key" ON "recording"("job_id");

-- CreateIndex
CREATE INDEX "recording_camera_id_started_at_idx" ON "recording"("camera_id", "started_at");

-- AddForeignKey
ALTER TABLE "stream" ADD CONSTRAINT "stream_camera_id_fkey" FOREIGN KEY ("camera_id") REFERENCES "camera"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recording" ADD CONSTRAINT "recording_camera_id_fkey" FOREIGN KEY ("camera_id") REFERENCES "camera"("id") ON DELETE CASCADE ON UPDATE CASCADE;

