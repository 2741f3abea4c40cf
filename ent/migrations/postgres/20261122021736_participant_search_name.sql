-- Modify "participants" table
ALTER TABLE "participants" ADD COLUMN "search_name" character varying NULL;
-- Create index "participant_search_name" to table: "participants"
CREATE INDEX "participant_search_name" ON "participants" ("search_name");
