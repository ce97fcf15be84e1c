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
CREATE UNIQUE INDEX "timelapse_camera_id_day_key" ON "timelapse"("camera_id", "day");

-- AddForeignKey
ALTER TABLE "timelapse" ADD CONSTRAINT "timelapse_camera_id_fkey" FOREIGN KEY ("camera_id") REFERENCES "camera"("id") ON DELETE CASCADE ON UPDATE CASCADE;

