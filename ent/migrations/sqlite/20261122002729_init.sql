-- Create "auth_tokens" table
CREATE TABLE `auth_tokens` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `last_used_at` datetime NULL, `revoked_at` datetime NULL, `user_agent` text NULL, `ip` text NULL, `user_id` integer NOT NULL, CONSTRAINT `auth_tokens_users_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "auth_tokens_token_hash_key" to table: "auth_tokens"
CREATE UNIQUE INDEX `auth_tokens_token_hash_key` ON `auth_tokens` (`token_hash`);
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
CREATE TABLE `organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `name` text NOT NULL, `kinds` json NULL, `siret` text NULL, `siren` text NULL, `nda` text NULL, `ape_code` text NULL, `street` text NULL, `street2` text NULL, `postcode` text NULL, `city` text NULL, `insee_code` text NULL, `latitude` real NULL, `longitude` real NULL, `contact_points` json NULL, `parent_id` integer NULL, CONSTRAINT `organizations_organizations_branches` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- Set sequence for "organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organizations", 17179869184);
-- Create index "organizations_reference_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_reference_key` ON `organizations` (`reference`);
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
-- Create "password_resets" table
CREATE TABLE `password_resets` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` blob NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `password_resets_users_password_resets` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Set sequence for "password_resets" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("password_resets", 25769803776);
-- Create index "password_resets_token_hash_key" to table: "password_resets"
CREATE UNIQUE INDEX `password_resets_token_hash_key` ON `password_resets` (`token_hash`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `civility` text NULL, `last_name` text NOT NULL, `first_name` text NOT NULL, `email` text NOT NULL, `phone` text NULL, `function` text NULL, `language` text NOT NULL DEFAULT ('fr'), `active` bool NOT NULL DEFAULT (true), `operator` bool NOT NULL DEFAULT (false), `password_hash` text NULL, `last_login_at` datetime NULL);
-- Set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 30064771072);
-- Create index "user_email" to table: "users"
CREATE UNIQUE INDEX `user_email` ON `users` (`email`);
