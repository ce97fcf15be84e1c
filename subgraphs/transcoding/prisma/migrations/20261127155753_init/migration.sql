-- CreateEnum
CREATE TYPE "TranscodeJobKind" AS ENUM ('LIVE', 'VOD', 'TIMELAPSE', 'THUMBNAIL');

-- CreateEnum
CREATE TYPE "TranscodeJobStatus" AS ENUM ('QUEUED', 'RUNNING', 'RECONNECTING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "transcode_job" (
    "id" UUID NOT NULL,
    "kind" "TranscodeJobKind" NOT NULL,
    "status" "TranscodeJobStatus" NOT NULL DEFAULT 'QUEUED',
    "camera_id" UUID,
    "stream_id" UUID,
    "live_key" UUID,
    "source" TEXT NOT NULL,
    "profile" TEXT NOT NULL,
    "day" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "fps" DOUBLE PRECISION,
    "speed" DOUBLE PRECISION,
    "processed_ms" INTEGER,
    "bitrate_kbps" DOUBLE PRECISION,
    "worker_id" TEXT,
    "error" TEXT,
    "output_prefix" TEXT,
    "master_playlist_key" TEXT,
    "dash_manifest_key" TEXT,
    "output_key" TEXT,
    "thumbnail_count" INTEGER NOT NULL DEFAULT 0,
    "requested_by" UUID,
    "stop_requested_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "transcode_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_node" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "running_job_ids" TEXT[],
    "ffmpeg_version" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timelapse_camera" (
    "camera_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timelapse_camera_pkey" PRIMARY KEY ("camera_id")
);

-- CreateTable
CREATE TABLE "timelapse" (
    "id" UUID NOT NULL,
    "camera_id" UUID NOT NULL,
    "day" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "video_key" TEXT NOT NULL,
    "duration_seconds" DOUBLE PRECISION NOT NULL,
    "frame_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timelapse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "transcode_job_live_key_key" ON "transcode_job"("live_key");

-- CreateIndex
CREATE INDEX "transcode_job_status_created_at_idx" ON "transcode_job"("status", "created_at");

-- CreateIndex
CREATE INDEX "transcode_job_kind_created_at_idx" ON "transcode_job"("kind", "created_at");

-- CreateIndex
CREATE INDEX "transcode_job_camera_id_idx" ON "transcode_job"("camera_id");

-- CreateIndex
CREATE INDEX "timelapse_camera_id_day_idx" ON "timelapse"("camera_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "timelapse_camera_id_day_key" ON "timelapse"("camera_id", "day");

