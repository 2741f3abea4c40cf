-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_history_entries" table
CREATE TABLE `new_history_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `entity_type` text NOT NULL, `entity_id` integer NOT NULL, `action` text NOT NULL, `organization_id` integer NULL, `subject_user_id` integer NULL, `actor_id` integer NULL, `actor_name` text NULL, `changes` json NULL, `comment` text NULL, `created_at` datetime NOT NULL, `txid` integer NULL DEFAULT (0));
-- Set sequence for "new_history_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_history_entries", 4294967296);
-- Copy rows from old table "history_entries" to new temporary table "new_history_entries"
INSERT INTO `new_history_entries` (`id`, `entity_type`, `entity_id`, `action`, `organization_id`, `subject_user_id`, `actor_id`, `actor_name`, `changes`, `comment`, `created_at`) SELECT `id`, `entity_type`, `entity_id`, `action`, `organization_id`, `subject_user_id`, `actor_id`, `actor_name`, `changes`, `comment`, `created_at` FROM `history_entries`;
-- Drop "history_entries" table after copying rows
DROP TABLE `history_entries`;
-- Rename temporary table "new_history_entries" to "history_entries"
ALTER TABLE `new_history_entries` RENAME TO `history_entries`;
-- Create index "historyentry_entity_id_created_at" to table: "history_entries"
CREATE INDEX `historyentry_entity_id_created_at` ON `history_entries` (`entity_id`, `created_at`);
-- Create index "historyentry_organization_id_created_at" to table: "history_entries"
CREATE INDEX `historyentry_organization_id_created_at` ON `history_entries` (`organization_id`, `created_at`);
-- Create index "historyentry_txid_id" to table: "history_entries"
CREATE INDEX `historyentry_txid_id` ON `history_entries` (`txid`, `id`);
-- Create "new_scans" table
CREATE TABLE `new_scans` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `organization_id` integer NOT NULL, `slot_id` integer NULL, `slot_key` integer NOT NULL DEFAULT (0), `user_id` integer NULL, `speaker_id` integer NULL, `client_scan_id` text NULL, `status` text NOT NULL, `admitted` bool NOT NULL DEFAULT (false), `duplicate` bool NOT NULL DEFAULT (false), `offline` bool NOT NULL DEFAULT (false), `door_admitted` bool NULL, `channel` text NOT NULL, `device_time` datetime NULL, `server_time` datetime NOT NULL, `checked_in_at` datetime NOT NULL, `clock_skew_ms` integer NOT NULL DEFAULT (0), `raw_code` text NULL, `undone_at` datetime NULL, `undone_by` integer NULL, `txid` integer NULL DEFAULT (0), `activity_id` integer NOT NULL, `device_id` integer NULL, `registration_id` integer NULL, CONSTRAINT `scans_activities_scans` FOREIGN KEY (`activity_id`) REFERENCES `activities` (`id`) ON DELETE CASCADE, CONSTRAINT `scans_devices_scans` FOREIGN KEY (`device_id`) REFERENCES `devices` (`id`) ON DELETE SET NULL, CONSTRAINT `scans_registrations_scans` FOREIGN KEY (`registration_id`) REFERENCES `registrations` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_scans" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_scans", 51539607552);
-- Copy rows from old table "scans" to new temporary table "new_scans"
INSERT INTO `new_scans` (`id`, `organization_id`, `slot_id`, `slot_key`, `user_id`, `speaker_id`, `client_scan_id`, `status`, `admitted`, `duplicate`, `offline`, `door_admitted`, `channel`, `device_time`, `server_time`, `checked_in_at`, `clock_skew_ms`, `raw_code`, `undone_at`, `undone_by`, `activity_id`, `device_id`, `registration_id`) SELECT `id`, `organization_id`, `slot_id`, `slot_key`, `user_id`, `speaker_id`, `client_scan_id`, `status`, `admitted`, `duplicate`, `offline`, `door_admitted`, `channel`, `device_time`, `server_time`, `checked_in_at`, `clock_skew_ms`, `raw_code`, `undone_at`, `undone_by`, `activity_id`, `device_id`, `registration_id` FROM `scans`;
-- Drop "scans" table after copying rows
DROP TABLE `scans`;
-- Rename temporary table "new_scans" to "scans"
ALTER TABLE `new_scans` RENAME TO `scans`;
-- Create index "scan_device_id_client_scan_id" to table: "scans"
CREATE UNIQUE INDEX `scan_device_id_client_scan_id` ON `scans` (`device_id`, `client_scan_id`);
-- Create index "scan_one_checkin" to table: "scans"
CREATE UNIQUE INDEX `scan_one_checkin` ON `scans` (`registration_id`, `slot_key`) WHERE admitted;
-- Create index "scan_activity_id_server_time" to table: "scans"
CREATE INDEX `scan_activity_id_server_time` ON `scans` (`activity_id`, `server_time`);
-- Create index "scan_registration_id" to table: "scans"
CREATE INDEX `scan_registration_id` ON `scans` (`registration_id`);
-- Create index "scan_activity_id_txid_id" to table: "scans"
CREATE INDEX `scan_activity_id_txid_id` ON `scans` (`activity_id`, `txid`, `id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
