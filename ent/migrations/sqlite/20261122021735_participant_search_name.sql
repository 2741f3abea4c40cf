-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_participants" table
CREATE TABLE `new_participants` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `position` integer NOT NULL DEFAULT (0), `last_name` text NOT NULL, `first_name` text NOT NULL, `email` text NULL, `phone` text NULL, `age` integer NULL, `address` text NULL, `search_name` text NULL, `registration_id` integer NOT NULL, CONSTRAINT `participants_registrations_participants` FOREIGN KEY (`registration_id`) REFERENCES `registrations` (`id`) ON DELETE CASCADE);
-- Set sequence for "new_participants" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_participants", 42949672960);
-- Copy rows from old table "participants" to new temporary table "new_participants"
INSERT INTO `new_participants` (`id`, `position`, `last_name`, `first_name`, `email`, `phone`, `age`, `address`, `registration_id`) SELECT `id`, `position`, `last_name`, `first_name`, `email`, `phone`, `age`, `address`, `registration_id` FROM `participants`;
-- Drop "participants" table after copying rows
DROP TABLE `participants`;
-- Rename temporary table "new_participants" to "participants"
ALTER TABLE `new_participants` RENAME TO `participants`;
-- Create index "participant_registration_id" to table: "participants"
CREATE INDEX `participant_registration_id` ON `participants` (`registration_id`);
-- Create index "participant_search_name" to table: "participants"
CREATE INDEX `participant_search_name` ON `participants` (`search_name`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
