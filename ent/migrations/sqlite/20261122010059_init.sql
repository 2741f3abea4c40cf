-- Create "activities" table
CREATE TABLE `activities` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `number` text NOT NULL, `title` text NOT NULL, `starts_at` datetime NULL, `ends_at` datetime NULL, `capacity` integer NULL, `location` text NULL, `qr_checkin` bool NOT NULL DEFAULT (true), `per_slot_checkin` bool NOT NULL DEFAULT (false), `slot_tolerance_minutes` integer NOT NULL DEFAULT (30), `max_participants` integer NOT NULL DEFAULT (10), `public_registration` bool NOT NULL DEFAULT (true), `organization_id` integer NOT NULL, CONSTRAINT `activities_organizations_activities` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Set sequence for "activities" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("activities", 34359738368);
-- Create index "activities_number_key" to table: "activities"
CREATE UNIQUE INDEX `activities_number_key` ON `activities` (`number`);
-- Create index "activity_organization_id_starts_at" to table: "activities"
CREATE INDEX `activity_organization_id_starts_at` ON `activities` (`organization_id`, `starts_at`);
-- Create "auth_tokens" table
CREATE TABLE `auth_tokens` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `last_used_at` datetime NULL, `revoked_at` datetime NULL, `user_agent` text NULL, `ip` text NULL, `user_id` integer NOT NULL, CONSTRAINT `auth_tokens_users_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "auth_tokens_token_hash_key" to table: "auth_tokens"
CREATE UNIQUE INDEX `auth_tokens_token_hash_key` ON `auth_tokens` (`token_hash`);
-- Create "devices" table
CREATE TABLE `devices` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `identification_code` text NOT NULL, `token_hash` blob NULL, `registered_at` datetime NULL, `last_seen_at` datetime NULL, `revoked_at` datetime NULL, `device_info` text NULL, `clock_skew_ms` integer NOT NULL DEFAULT (0), `organization_id` integer NOT NULL, CONSTRAINT `devices_organizations_devices` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Set sequence for "devices" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("devices", 38654705664);
-- Create index "devices_token_hash_key" to table: "devices"
CREATE UNIQUE INDEX `devices_token_hash_key` ON `devices` (`token_hash`);
-- Create index "device_organization_id_identification_code" to table: "devices"
CREATE UNIQUE INDEX `device_organization_id_identification_code` ON `devices` (`organization_id`, `identification_code`);
-- Create "history_entries" table
CREATE TABLE `history_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `entity_type` text NOT NULL, `entity_id` integer NOT NULL, `action` text NOT NULL, `organization_id` integer NULL, `subject_user_id` integer NULL, `actor_id` integer NULL, `actor_name` text NULL, `changes` json NULL, `comment` text NULL, `created_at` datetime NOT NULL);
-- Set sequence for "history_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("history_entries", 4294967296);
-- Create index "historyentry_entity_id_created_at" to table: "history_entries"
CREATE INDEX `historyentry_entity_id_created_at` ON `history_entries` (`entity_id`, `created_at`);
-- Create index "historyentry_organization_id_created_at" to table: "history_entries"
CREATE INDEX `historyentry_organization_id_created_at` ON `history_entries` (`organization_id`, `created_at`);
-- Create "login_attempts" table
CREATE TABLE `login_attempts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `email` text NOT NULL, `ip` text NOT NULL, `success` bool NOT NULL, `at` datetime NOT NULL);
-- Set sequence for "login_attempts" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("login_attempts", 8589934592);
-- Create index "loginattempt_email_at" to table: "login_attempts"
CREATE INDEX `loginattempt_email_at` ON `login_attempts` (`email`, `at`);
-- Create index "loginattempt_ip_at" to table: "login_attempts"
CREATE INDEX `loginattempt_ip_at` ON `login_attempts` (`ip`, `at`);
-- Create "memberships" table
CREATE TABLE `memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `permissions` json NOT NULL, `principal` bool NOT NULL DEFAULT (false), `organization_id` integer NOT NULL, `user_id` integer NOT NULL, CONSTRAINT `memberships_organizations_memberships` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `memberships_users_memberships` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Set sequence for "memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("memberships", 12884901888);
-- Create index "membership_user_id_organization_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_user_id_organization_id` ON `memberships` (`user_id`, `organization_id`);
-- Create index "membership_organization_id" to table: "memberships"
CREATE INDEX `membership_organization_id` ON `memberships` (`organization_id`);
-- Create "organizations" table
CREATE TABLE `organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `name` text NOT NULL, `kinds` json NULL, `siret` text NULL, `siren` text NULL, `nda` text NULL, `ape_code` text NULL, `street` text NULL, `street2` text NULL, `postcode` text NULL, `city` text NULL, `insee_code` text NULL, `latitude` real NULL, `longitude` real NULL, `contact_points` json NULL, `site_code` text NULL, `parent_id` integer NULL, CONSTRAINT `organizations_organizations_branches` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- Set sequence for "organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organizations", 17179869184);
-- Create index "organizations_reference_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_reference_key` ON `organizations` (`reference`);
-- Create index "organizations_site_code_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_site_code_key` ON `organizations` (`site_code`);
-- Create index "organization_siren" to table: "organizations"
CREATE INDEX `organization_siren` ON `organizations` (`siren`);
-- Create index "organization_siret" to table: "organizations"
CREATE INDEX `organization_siret` ON `organizations` (`siret`);
-- Create index "organization_name" to table: "organizations"
CREATE INDEX `organization_name` ON `organizations` (`name`);
-- Create "outbox_messages" table
CREATE TABLE `outbox_messages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `from` text NOT NULL, `to` json NOT NULL, `subject` text NOT NULL, `text` text NULL, `html` text NULL, `message_id` text NULL, `eml_path` text NULL, `status` text NOT NULL, `error` text NULL, `created_at` datetime NOT NULL);
-- Set sequence for "outbox_messages" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("outbox_messages", 21474836480);
-- Create "participants" table
CREATE TABLE `participants` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `position` integer NOT NULL DEFAULT (0), `last_name` text NOT NULL, `first_name` text NOT NULL, `email` text NULL, `phone` text NULL, `age` integer NULL, `address` text NULL, `registration_id` integer NOT NULL, CONSTRAINT `participants_registrations_participants` FOREIGN KEY (`registration_id`) REFERENCES `registrations` (`id`) ON DELETE CASCADE);
-- Set sequence for "participants" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("participants", 42949672960);
-- Create index "participant_registration_id" to table: "participants"
CREATE INDEX `participant_registration_id` ON `participants` (`registration_id`);
-- Create "password_resets" table
CREATE TABLE `password_resets` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `password_resets_users_password_resets` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Set sequence for "password_resets" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("password_resets", 25769803776);
-- Create index "password_resets_token_hash_key" to table: "password_resets"
CREATE UNIQUE INDEX `password_resets_token_hash_key` ON `password_resets` (`token_hash`);
-- Create "registrations" table
CREATE TABLE `registrations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `number` text NOT NULL, `organization_id` integer NOT NULL, `buyer_last_name` text NOT NULL, `buyer_first_name` text NOT NULL, `buyer_email` text NOT NULL, `buyer_phone` text NULL, `state` text NOT NULL DEFAULT ('CONFIRMED'), `cancelled_at` datetime NULL, `source` text NOT NULL DEFAULT ('STAFF'), `activity_id` integer NOT NULL, CONSTRAINT `registrations_activities_registrations` FOREIGN KEY (`activity_id`) REFERENCES `activities` (`id`) ON DELETE CASCADE);
-- Set sequence for "registrations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("registrations", 47244640256);
-- Create index "registrations_number_key" to table: "registrations"
CREATE UNIQUE INDEX `registrations_number_key` ON `registrations` (`number`);
-- Create index "registration_activity_id_updated_at" to table: "registrations"
CREATE INDEX `registration_activity_id_updated_at` ON `registrations` (`activity_id`, `updated_at`);
-- Create index "registration_organization_id" to table: "registrations"
CREATE INDEX `registration_organization_id` ON `registrations` (`organization_id`);
-- Create "scans" table
CREATE TABLE `scans` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `organization_id` integer NOT NULL, `slot_id` integer NULL, `slot_key` integer NOT NULL DEFAULT (0), `user_id` integer NULL, `speaker_id` integer NULL, `client_scan_id` text NULL, `status` text NOT NULL, `admitted` bool NOT NULL DEFAULT (false), `duplicate` bool NOT NULL DEFAULT (false), `offline` bool NOT NULL DEFAULT (false), `channel` text NOT NULL, `device_time` datetime NULL, `server_time` datetime NOT NULL, `checked_in_at` datetime NOT NULL, `clock_skew_ms` integer NOT NULL DEFAULT (0), `raw_code` text NULL, `undone_at` datetime NULL, `undone_by` integer NULL, `activity_id` integer NOT NULL, `device_id` integer NULL, `registration_id` integer NULL, CONSTRAINT `scans_activities_scans` FOREIGN KEY (`activity_id`) REFERENCES `activities` (`id`) ON DELETE CASCADE, CONSTRAINT `scans_devices_scans` FOREIGN KEY (`device_id`) REFERENCES `devices` (`id`) ON DELETE SET NULL, CONSTRAINT `scans_registrations_scans` FOREIGN KEY (`registration_id`) REFERENCES `registrations` (`id`) ON DELETE SET NULL);
-- Set sequence for "scans" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("scans", 51539607552);
-- Create index "scan_device_id_client_scan_id" to table: "scans"
CREATE UNIQUE INDEX `scan_device_id_client_scan_id` ON `scans` (`device_id`, `client_scan_id`);
-- Create index "scan_one_checkin" to table: "scans"
CREATE UNIQUE INDEX `scan_one_checkin` ON `scans` (`registration_id`, `slot_key`) WHERE admitted;
-- Create index "scan_activity_id_server_time" to table: "scans"
CREATE INDEX `scan_activity_id_server_time` ON `scans` (`activity_id`, `server_time`);
-- Create index "scan_registration_id" to table: "scans"
CREATE INDEX `scan_registration_id` ON `scans` (`registration_id`);
-- Create "slots" table
CREATE TABLE `slots` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `label` text NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `capacity` integer NULL, `activity_id` integer NOT NULL, `speaker_id` integer NULL, CONSTRAINT `slots_activities_slots` FOREIGN KEY (`activity_id`) REFERENCES `activities` (`id`) ON DELETE CASCADE, CONSTRAINT `slots_speakers_slots` FOREIGN KEY (`speaker_id`) REFERENCES `speakers` (`id`) ON DELETE SET NULL);
-- Set sequence for "slots" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("slots", 55834574848);
-- Create index "slot_activity_id_starts_at" to table: "slots"
CREATE INDEX `slot_activity_id_starts_at` ON `slots` (`activity_id`, `starts_at`);
-- Create "speakers" table
CREATE TABLE `speakers` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `last_name` text NOT NULL, `first_name` text NOT NULL, `email` text NULL, `link_token_hash` blob NULL, `organization_id` integer NOT NULL, CONSTRAINT `speakers_organizations_speakers` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Set sequence for "speakers" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("speakers", 60129542144);
-- Create index "speakers_link_token_hash_key" to table: "speakers"
CREATE UNIQUE INDEX `speakers_link_token_hash_key` ON `speakers` (`link_token_hash`);
-- Create "ticket_keys" table
CREATE TABLE `ticket_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `key_id` integer NOT NULL, `public_key` blob NOT NULL, `private_key` blob NOT NULL, `active` bool NOT NULL DEFAULT (true), `created_at` datetime NOT NULL, `organization_id` integer NOT NULL, CONSTRAINT `ticket_keys_organizations_ticket_keys` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Set sequence for "ticket_keys" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("ticket_keys", 64424509440);
-- Create index "ticket_keys_key_id_key" to table: "ticket_keys"
CREATE UNIQUE INDEX `ticket_keys_key_id_key` ON `ticket_keys` (`key_id`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `civility` text NULL, `last_name` text NOT NULL, `first_name` text NOT NULL, `email` text NOT NULL, `phone` text NULL, `function` text NULL, `language` text NOT NULL DEFAULT ('fr'), `active` bool NOT NULL DEFAULT (true), `operator` bool NOT NULL DEFAULT (false), `password_hash` text NULL, `last_login_at` datetime NULL);
-- Set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 30064771072);
-- Create index "user_email" to table: "users"
CREATE UNIQUE INDEX `user_email` ON `users` (`email`);
-- Create "registration_slots" table
CREATE TABLE `registration_slots` (`registration_id` integer NOT NULL, `slot_id` integer NOT NULL, PRIMARY KEY (`registration_id`, `slot_id`), CONSTRAINT `registration_slots_registration_id` FOREIGN KEY (`registration_id`) REFERENCES `registrations` (`id`) ON DELETE CASCADE, CONSTRAINT `registration_slots_slot_id` FOREIGN KEY (`slot_id`) REFERENCES `slots` (`id`) ON DELETE CASCADE);
