-- Hand-written: rules of the ledger that Prisma's schema language cannot express.

-- Append-only: entries are never changed or removed (a correction is a new journal).
CREATE FUNCTION "ledger_entry_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entry is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER "ledger_entry_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "ledger_entry"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entry_append_only"();
CREATE TRIGGER "ledger_entry_no_truncate"
  BEFORE TRUNCATE ON "ledger_entry"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entry_append_only"();

-- Double entry: at commit, every journal touched by the transaction sums to zero in each currency.
CREATE FUNCTION "ledger_journal_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced bigint;
BEGIN
  SELECT SUM(amount_cents) INTO unbalanced FROM "ledger_entry"
    WHERE journal_id = NEW.journal_id AND currency = NEW.currency;
  IF unbalanced <> 0 THEN
    RAISE EXCEPTION 'ledger journal % does not balance in % (off by %)', NEW.journal_id, NEW.currency, unbalanced
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER "ledger_entry_journal_balanced"
  AFTER INSERT ON "ledger_entry"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION "ledger_journal_balanced"();

-- Amounts are whole cents and never zero.
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_amount_not_zero" CHECK (amount_cents <> 0);
ALTER TABLE "payment" ADD CONSTRAINT "payment_amount_positive" CHECK (amount_cents > 0);
ALTER TABLE "payment" ADD CONSTRAINT "payment_refund_within_amount" CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents);
ALTER TABLE "refund" ADD CONSTRAINT "refund_amount_positive" CHECK (amount_cents > 0);
ALTER TABLE "payout" ADD CONSTRAINT "payout_amount_positive" CHECK (amount_cents > 0);
