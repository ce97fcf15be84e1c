-- Feed positions in commit order (written by hand: Prisma's schema cannot express triggers).
-- A resuming notificationAdded subscriber passes the position (created_at, id) of the last notification it received
-- and gets those after it. With created_at = now(), a notification whose insert began first but committed last was
-- stamped before ones already delivered live (and at equal milliseconds ordered by a random id), and a client that
-- reconnected then never got it. Now every insert into a user's feed takes that feed's lock (held to commit) and is
-- placed strictly after every notification already in it: positions of one feed follow commit order. An explicit,
-- later created_at (seeds) is kept.
CREATE FUNCTION "notification_feed_position"() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT  -- the subgraph's schema, whoever inserts
  AS $$
DECLARE
  latest timestamptz(3);
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('user.notification:' || NEW."user_id"::text, 0));
  SELECT max("created_at") INTO latest FROM "notification" WHERE "user_id" = NEW."user_id";
  IF latest IS NOT NULL AND NEW."created_at" <= latest THEN
    NEW."created_at" := latest + interval '1 millisecond';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "notification_feed_position" BEFORE INSERT ON "notification"
  FOR EACH ROW EXECUTE FUNCTION "notification_feed_position"();
