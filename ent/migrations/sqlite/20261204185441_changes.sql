-- Add column "door_admitted" to table: "scans"
ALTER TABLE `scans` ADD COLUMN `door_admitted` bool NULL;
