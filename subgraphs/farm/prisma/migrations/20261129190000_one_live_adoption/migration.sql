-- Hand-written (Prisma cannot express a partial unique index): one live adoption per animal and customer, kept by
-- Postgres itself, so concurrent adoptAnimal calls cannot create several (the application check alone raced).
-- Adoptions made twice before this index existed are ended first, oldest kept.
UPDATE "adoption" a SET "status" = 'CANCELLED', "updated_at" = now()
WHERE a."status" = 'ACTIVE'
  AND EXISTS (
    SELECT 1 FROM "adoption" b
    WHERE b."animal_id" = a."animal_id" AND b."customer_id" = a."customer_id" AND b."status" = 'ACTIVE'
      AND (b."created_at", b."id") < (a."created_at", a."id")
  );

CREATE UNIQUE INDEX "adoption_one_live_per_customer" ON "adoption" ("animal_id", "customer_id") WHERE "status" = 'ACTIVE';
