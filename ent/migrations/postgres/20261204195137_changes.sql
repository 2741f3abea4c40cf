-- Modify "history_entries" table
ALTER TABLE "history_entries" ADD COLUMN "txid" bigint NULL DEFAULT ((pg_current_xact_id())::text)::bigint;
-- Create index "historyentry_txid_id" to table: "history_entries"
CREATE INDEX "historyentry_txid_id" ON "history_entries" ("txid", "id");
-- Modify "scans" table
ALTER TABLE "scans" ADD COLUMN "txid" bigint NULL DEFAULT ((pg_current_xact_id())::text)::bigint;
-- Create index "scan_activity_id_txid_id" to table: "scans"
CREATE INDEX "scan_activity_id_txid_id" ON "scans" ("activity_id", "txid", "id");
