-- Hand-edited after `npm run db:diff`: btree_gist, the generated "period" column, the exclusion constraint and CHECKs
-- cannot be expressed in schema.prisma. The extension lives in "public" so that every service schema can rely on it.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

-- CreateEnum
CREATE TYPE "RentalStatus" AS ENUM ('REQUESTED', 'ACTIVE', 'ENDED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TaskKind" AS ENUM ('SOW', 'WATER', 'WEED', 'FERTILISE', 'HARVEST', 'OTHER');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('OPEN', 'DONE', 'SKIPPED');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('REQUESTED', 'SCHEDULED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "AdoptionStatus" AS ENUM ('ACTIVE', 'ENDED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ActivityKind" AS ENUM ('RENTAL_CHANGED', 'PLAN_CHANGED', 'TASK_COMPLETED', 'HARVEST_RECORDED', 'DELIVERY_CHANGED', 'ANIMAL_UPDATE', 'ADOPTION_CHANGED');

-- AlterTable
ALTER TABLE "farm" ADD COLUMN     "photos" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "season_end_month" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "season_start_month" INTEGER NOT NULL DEFAULT 3;

-- AlterTable
ALTER TABLE "plot" ADD COLUMN     "photos" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "rental" (
    "id" UUID NOT NULL,
    "plot_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "period" daterange GENERATED ALWAYS AS (daterange("starts_on", "ends_on", '[)')) STORED,
    "status" "RentalStatus" NOT NULL DEFAULT 'REQUESTED',
    "price_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rental_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "planting_plan" (
    "id" UUID NOT NULL,
    "rental_id" UUID NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "planting_plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_item" (
    "id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "crop_id" UUID NOT NULL,
    "share" DOUBLE PRECISION NOT NULL,
    "sow_on" DATE NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "plan_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task" (
    "id" UUID NOT NULL,
    "plot_id" UUID NOT NULL,
    "rental_id" UUID,
    "crop_id" UUID,
    "generated" BOOLEAN NOT NULL DEFAULT false,
    "kind" "TaskKind" NOT NULL,
    "title" TEXT NOT NULL,
    "due_on" DATE NOT NULL,
    "assignee_id" UUID,
    "status" "TaskStatus" NOT NULL DEFAULT 'OPEN',
    "notes" TEXT NOT NULL DEFAULT '',
    "photos" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "completed_at" TIMESTAMPTZ(3),
    "completed_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "harvest" (
    "id" UUID NOT NULL,
    "plot_id" UUID NOT NULL,
    "rental_id" UUID NOT NULL,
    "crop_id" UUID NOT NULL,
    "weight_kg" DOUBLE PRECISION NOT NULL,
    "harvested_on" DATE NOT NULL,
    "photos" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "recorded_by_id" UUID NOT NULL,
    "delivery_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "harvest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery" (
    "id" UUID NOT NULL,
    "rental_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "address_text" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'REQUESTED',
    "version" INTEGER NOT NULL DEFAULT 1,
    "scheduled_for" TIMESTAMPTZ(3),
    "note" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "animal" (
    "id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "species" TEXT NOT NULL,
    "breed" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "born_on" DATE,
    "photos" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "monthly_price_cents" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "animal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adoption" (
    "id" UUID NOT NULL,
    "animal_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "status" "AdoptionStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "adoption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "activity_event" (
    "id" UUID NOT NULL,
    "plot_id" UUID,
    "animal_id" UUID,
    "rental_id" UUID,
    "kind" "ActivityKind" NOT NULL,
    "message" TEXT NOT NULL,
    "actor_id" UUID,
    "photos" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "subject_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "activity_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rental_plot_id_starts_on_idx" ON "rental"("plot_id", "starts_on");

-- CreateIndex
CREATE INDEX "rental_customer_id_created_at_idx" ON "rental"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "planting_plan_rental_id_key" ON "planting_plan"("rental_id");

-- CreateIndex
CREATE UNIQUE INDEX "plan_item_plan_id_crop_id_key" ON "plan_item"("plan_id", "crop_id");

-- CreateIndex
CREATE INDEX "task_plot_id_due_on_idx" ON "task"("plot_id", "due_on");

-- CreateIndex
CREATE INDEX "task_rental_id_due_on_idx" ON "task"("rental_id", "due_on");

-- CreateIndex
CREATE INDEX "task_assignee_id_status_due_on_idx" ON "task"("assignee_id", "status", "due_on");

-- CreateIndex
CREATE INDEX "harvest_rental_id_harvested_on_idx" ON "harvest"("rental_id", "harvested_on");

-- CreateIndex
CREATE INDEX "harvest_delivery_id_idx" ON "harvest"("delivery_id");

-- CreateIndex
CREATE INDEX "delivery_customer_id_created_at_idx" ON "delivery"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "delivery_rental_id_created_at_idx" ON "delivery"("rental_id", "created_at");

-- CreateIndex
CREATE INDEX "animal_farm_id_name_idx" ON "animal"("farm_id", "name");

-- CreateIndex
CREATE INDEX "adoption_customer_id_created_at_idx" ON "adoption"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "adoption_animal_id_idx" ON "adoption"("animal_id");

-- CreateIndex
CREATE INDEX "activity_event_plot_id_created_at_idx" ON "activity_event"("plot_id", "created_at");

-- CreateIndex
CREATE INDEX "activity_event_animal_id_created_at_idx" ON "activity_event"("animal_id", "created_at");

-- CreateIndex
CREATE INDEX "plot_farm_id_idx" ON "plot"("farm_id");

-- AddForeignKey
ALTER TABLE "rental" ADD CONSTRAINT "rental_plot_id_fkey" FOREIGN KEY ("plot_id") REFERENCES "plot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "planting_plan" ADD CONSTRAINT "planting_plan_rental_id_fkey" FOREIGN KEY ("rental_id") REFERENCES "rental"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan_item" ADD CONSTRAINT "plan_item_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "planting_plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan_item" ADD CONSTRAINT "plan_item_crop_id_fkey" FOREIGN KEY ("crop_id") REFERENCES "crop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_plot_id_fkey" FOREIGN KEY ("plot_id") REFERENCES "plot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_rental_id_fkey" FOREIGN KEY ("rental_id") REFERENCES "rental"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "harvest" ADD CONSTRAINT "harvest_plot_id_fkey" FOREIGN KEY ("plot_id") REFERENCES "plot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "harvest" ADD CONSTRAINT "harvest_rental_id_fkey" FOREIGN KEY ("rental_id") REFERENCES "rental"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "harvest" ADD CONSTRAINT "harvest_crop_id_fkey" FOREIGN KEY ("crop_id") REFERENCES "crop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "harvest" ADD CONSTRAINT "harvest_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_rental_id_fkey" FOREIGN KEY ("rental_id") REFERENCES "rental"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "animal" ADD CONSTRAINT "animal_farm_id_fkey" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adoption" ADD CONSTRAINT "adoption_animal_id_fkey" FOREIGN KEY ("animal_id") REFERENCES "animal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "activity_event" ADD CONSTRAINT "activity_event_plot_id_fkey" FOREIGN KEY ("plot_id") REFERENCES "plot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "activity_event" ADD CONSTRAINT "activity_event_animal_id_fkey" FOREIGN KEY ("animal_id") REFERENCES "animal"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- No plot is rented twice for overlapping dates: enforced by Postgres even under concurrent requests.
ALTER TABLE "rental" ADD CONSTRAINT "rental_dates_check" CHECK ("ends_on" > "starts_on");
ALTER TABLE "rental" ADD CONSTRAINT "rental_no_overlap" EXCLUDE USING gist ("plot_id" WITH =, "period" WITH &&) WHERE ("status" IN ('REQUESTED', 'ACTIVE'));
ALTER TABLE "adoption" ADD CONSTRAINT "adoption_dates_check" CHECK ("ends_on" > "starts_on");
ALTER TABLE "plan_item" ADD CONSTRAINT "plan_item_share_check" CHECK ("share" > 0 AND "share" <= 1);
ALTER TABLE "harvest" ADD CONSTRAINT "harvest_weight_check" CHECK ("weight_kg" > 0);
ALTER TABLE "farm" ADD CONSTRAINT "farm_season_check" CHECK ("season_start_month" BETWEEN 1 AND 12 AND "season_end_month" BETWEEN 1 AND 12);
