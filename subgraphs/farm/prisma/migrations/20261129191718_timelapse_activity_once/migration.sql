-- One feed entry per timelapse, whichever replica handles the PlotTimelapseReady event (written by hand: Prisma's
-- schema cannot express a partial unique index; in its own migration because a new enum value cannot be used in the
-- transaction that adds it).
CREATE UNIQUE INDEX "activity_event_timelapse_once" ON "activity_event" ("subject_id") WHERE "kind" = 'TIMELAPSE_READY';
