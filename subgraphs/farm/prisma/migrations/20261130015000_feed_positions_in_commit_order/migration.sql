-- Feed positions in commit order (written by hand: Prisma's schema cannot express triggers).
-- A resuming plotActivity subscriber passes the position (created_at, id) of the last entry it received and gets the
-- entries after it. With created_at = now() (its transaction's start), an entry whose transaction began first but
-- committed last was stamped before entries already delivered live, and a client that reconnected then never got it.
-- Now every insert into a plot's feed takes that feed's lock (held to commit) and is placed strictly after every entry
-- already in it: positions of one feed follow commit order. An explicit, later created_at (seeds) is kept.
CREATE FUNCTION "activity_event_feed_position"() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the subgraph's schema, whoever inserts
  AS $$
DECLARE
  latest timestamptz(3);
BEGIN
  IF NEW."plot_id" IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('farm.activity_event:' || NEW."plot_id"::text, 0));
  SELECT max("created_at") INTO latest FROM "activity_event" WHERE "plot_id" = NEW."plot_id";
  IF latest IS NOT NULL AND NEW."created_at" <= latest THEN
    NEW."created_at" := latest + interval '1 millisecond';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "activity_event_feed_position" BEFORE INSERT ON "activity_event"
  FOR EACH ROW EXECUTE FUNCTION "activity_event_feed_position"();
