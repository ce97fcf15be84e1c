-- CreateEnum
CREATE TYPE "PlotStatus" AS ENUM ('AVAILABLE', 'RENTED', 'FALLOW');

-- CreateEnum
CREATE TYPE "SunExposure" AS ENUM ('FULL_SUN', 'PARTIAL_SHADE', 'SHADE');

-- CreateTable
CREATE TABLE "farm" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "locality" TEXT NOT NULL DEFAULT '',
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "farm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plot" (
    "id" UUID NOT NULL,
    "farm_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "area_m2" DOUBLE PRECISION NOT NULL,
    "soil" TEXT NOT NULL DEFAULT 'loam',
    "sun_exposure" "SunExposure" NOT NULL DEFAULT 'FULL_SUN',
    "status" "PlotStatus" NOT NULL DEFAULT 'AVAILABLE',
    "price_per_season_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "plot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crop" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "variety" TEXT NOT NULL,
    "days_to_maturity" INTEGER NOT NULL,
    "spacing_cm" INTEGER NOT NULL,
    "sowing_months" INTEGER[],
    "expected_yield_kg_per_m2" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "crop_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "farm_owner_id_idx" ON "farm"("owner_id");

-- CreateIndex
CREATE INDEX "farm_name_idx" ON "farm"("name");

-- CreateIndex
CREATE UNIQUE INDEX "plot_farm_id_code_key" ON "plot"("farm_id", "code");

-- CreateIndex
CREATE UNIQUE INDEX "crop_name_variety_key" ON "crop"("name", "variety");

-- AddForeignKey
ALTER TABLE "plot" ADD CONSTRAINT "plot_farm_id_fkey" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

