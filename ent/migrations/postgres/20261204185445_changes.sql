-- Modify "scans" table
ALTER TABLE "scans" ADD COLUMN "door_admitted" boolean NULL;
