-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_organizations" table
CREATE TABLE `new_organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `name` text NOT NULL, `kinds` json NULL, `siret` text NULL, `siren` text NULL, `nda` text NULL, `ape_code` text NULL, `street` text NULL, `street2` text NULL, `postcode` text NULL, `city` text NULL, `insee_code` text NULL, `latitude` real NULL, `longitude` real NULL, `contact_points` json NULL, `site_code` text NULL, `facilities` json NULL, `qualiopi` json NULL, `other_labels` json NULL, `contact_requests` text NULL, `parent_id` integer NULL, `session_trainers` integer NULL, CONSTRAINT `organizations_organizations_branches` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `organizations_sessions_trainers` FOREIGN KEY (`session_trainers`) REFERENCES `sessions` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_organizations", 17179869184);
-- Copy rows from old table "organizations" to new temporary table "new_organizations"
INSERT INTO `new_organizations` (`id`, `created_at`, `updated_at`, `reference`, `name`, `kinds`, `siret`, `siren`, `nda`, `ape_code`, `street`, `street2`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `contact_points`, `site_code`, `parent_id`) SELECT `id`, `created_at`, `updated_at`, `reference`, `name`, `kinds`, `siret`, `siren`, `nda`, `ape_code`, `street`, `street2`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `contact_points`, `site_code`, `parent_id` FROM `organizations`;
-- Drop "organizations" table after copying rows
DROP TABLE `organizations`;
-- Rename temporary table "new_organizations" to "organizations"
ALTER TABLE `new_organizations` RENAME TO `organizations`;
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
-- Create "new_certifications" table
CREATE TABLE `new_certifications` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `title` text NOT NULL, `rncp_code` text NULL, `rs_code` text NULL, `acronym` text NULL, `acronym_label` text NULL, `school_code` text NULL, `certifier_names` json NULL, `certifier_sirets` json NULL, `level` integer NULL, `nsf_codes` json NULL, `formacodes` json NULL, `first_exam_session` datetime NULL, `last_exam_session` datetime NULL, `decision_date` datetime NULL, `registration_end_date` datetime NULL, `registration_type` text NULL, `state` text NOT NULL DEFAULT ('ACTIVE'), `apprenticeship` bool NOT NULL DEFAULT (false), `objective` text NULL, `content` text NULL, `replaced_by_id` integer NULL, `training_certifications` integer NULL, CONSTRAINT `certifications_certifications_replaces` FOREIGN KEY (`replaced_by_id`) REFERENCES `certifications` (`id`) ON DELETE SET NULL, CONSTRAINT `certifications_trainings_certifications` FOREIGN KEY (`training_certifications`) REFERENCES `trainings` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_certifications" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_certifications", 73014444032);
-- Copy rows from old table "certifications" to new temporary table "new_certifications"
INSERT INTO `new_certifications` (`id`, `created_at`, `updated_at`, `code`, `title`, `rncp_code`, `rs_code`, `acronym`, `acronym_label`, `school_code`, `certifier_names`, `certifier_sirets`, `level`, `nsf_codes`, `formacodes`, `first_exam_session`, `last_exam_session`, `decision_date`, `registration_end_date`, `registration_type`, `state`, `apprenticeship`, `replaced_by_id`) SELECT `id`, `created_at`, `updated_at`, `code`, `title`, `rncp_code`, `rs_code`, `acronym`, `acronym_label`, `school_code`, `certifier_names`, `certifier_sirets`, `level`, `nsf_codes`, `formacodes`, `first_exam_session`, `last_exam_session`, `decision_date`, `registration_end_date`, `registration_type`, `state`, `apprenticeship`, `replaced_by_id` FROM `certifications`;
-- Drop "certifications" table after copying rows
DROP TABLE `certifications`;
-- Rename temporary table "new_certifications" to "certifications"
ALTER TABLE `new_certifications` RENAME TO `certifications`;
-- Create index "certifications_code_key" to table: "certifications"
CREATE UNIQUE INDEX `certifications_code_key` ON `certifications` (`code`);
-- Create index "certifications_rncp_code_key" to table: "certifications"
CREATE UNIQUE INDEX `certifications_rncp_code_key` ON `certifications` (`rncp_code`);
-- Create index "certifications_rs_code_key" to table: "certifications"
CREATE UNIQUE INDEX `certifications_rs_code_key` ON `certifications` (`rs_code`);
-- Create index "certification_title" to table: "certifications"
CREATE INDEX `certification_title` ON `certifications` (`title`);
-- Create index "certification_state" to table: "certifications"
CREATE INDEX `certification_state` ON `certifications` (`state`);
-- Create "organization_change_requests" table
CREATE TABLE `organization_change_requests` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `state` text NOT NULL DEFAULT ('PENDING'), `change` json NOT NULL, `operator_comment` text NULL, `decided_at` datetime NULL, `organization_id` integer NOT NULL, `author_id` integer NULL, CONSTRAINT `organization_change_requests_organizations_change_requests` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `organization_change_requests_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Set sequence for "organization_change_requests" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organization_change_requests", 85899345920);
-- Create index "organizationchangerequest_organization_id_state" to table: "organization_change_requests"
CREATE INDEX `organizationchangerequest_organization_id_state` ON `organization_change_requests` (`organization_id`, `state`);
-- Create "organization_documents" table
CREATE TABLE `organization_documents` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `content_type` text NOT NULL, `size` integer NOT NULL, `data` blob NOT NULL, `organization_id` integer NOT NULL, `uploaded_by_id` integer NULL, CONSTRAINT `organization_documents_organizations_documents` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `organization_documents_users_uploaded_by` FOREIGN KEY (`uploaded_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Set sequence for "organization_documents" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organization_documents", 90194313216);
-- Create "sessions" table
CREATE TABLE `sessions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `organization_id` integer NOT NULL, `starts_on` datetime NOT NULL, `ends_on` datetime NOT NULL, `on_demand` bool NOT NULL DEFAULT (false), `permanent_entry` bool NOT NULL DEFAULT (false), `fundings` json NULL, `cycles` json NULL, `skill_blocks` json NULL, `hours_in_centre` integer NULL, `hours_in_company` integer NULL, `hours_total` integer NULL, `hours_weekly` integer NULL, `hours_comment` text NULL, `prerequisites` text NULL, `course_type` text NULL, `rhythm` text NULL, `rhythm_comment` text NULL, `equipment` json NULL, `teaching_mode` text NULL, `work_study_contract` bool NOT NULL DEFAULT (false), `recruitment_modalities` json NULL, `recruitment_slots` json NULL, `contact_requests` text NULL, `archived_at` datetime NULL, `principal_trainer_id` integer NULL, `registration_venue_id` integer NULL, `training_id` integer NOT NULL, CONSTRAINT `sessions_organizations_principal_trainer` FOREIGN KEY (`principal_trainer_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `sessions_venues_registration_venue` FOREIGN KEY (`registration_venue_id`) REFERENCES `venues` (`id`) ON DELETE SET NULL, CONSTRAINT `sessions_trainings_sessions` FOREIGN KEY (`training_id`) REFERENCES `trainings` (`id`) ON DELETE CASCADE);
-- Set sequence for "sessions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("sessions", 94489280512);
-- Create index "sessions_reference_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_reference_key` ON `sessions` (`reference`);
-- Create index "session_training_id" to table: "sessions"
CREATE INDEX `session_training_id` ON `sessions` (`training_id`);
-- Create index "session_organization_id_ends_on" to table: "sessions"
CREATE INDEX `session_organization_id_ends_on` ON `sessions` (`organization_id`, `ends_on`);
-- Create index "session_starts_on" to table: "sessions"
CREATE INDEX `session_starts_on` ON `sessions` (`starts_on`);
-- Create "trainings" table
CREATE TABLE `trainings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `state` text NOT NULL DEFAULT ('IN_CREATION'), `change_state` text NOT NULL DEFAULT ('NONE'), `certifying` bool NOT NULL DEFAULT (false), `certification_codes` json NULL, `title` text NOT NULL, `objective` text NOT NULL, `content` text NULL, `expected_results` text NULL, `entry_level` text NULL, `exit_level` text NULL, `cycle_years` integer NULL, `apprenticeship` bool NOT NULL DEFAULT (false), `parcoursup` bool NOT NULL DEFAULT (false), `affelnet` bool NOT NULL DEFAULT (false), `web_links` json NULL, `contact_requests` text NULL, `draft` json NULL, `last_action_at` datetime NOT NULL, `submitted_at` datetime NULL, `published_at` datetime NULL, `operator_comment` text NULL, `archive_reason` text NULL, `archive_comment` text NULL, `organization_id` integer NOT NULL, `author_id` integer NULL, CONSTRAINT `trainings_organizations_trainings` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `trainings_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Set sequence for "trainings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("trainings", 98784247808);
-- Create index "trainings_reference_key" to table: "trainings"
CREATE UNIQUE INDEX `trainings_reference_key` ON `trainings` (`reference`);
-- Create index "training_organization_id_state" to table: "trainings"
CREATE INDEX `training_organization_id_state` ON `trainings` (`organization_id`, `state`);
-- Create index "training_state_last_action_at" to table: "trainings"
CREATE INDEX `training_state_last_action_at` ON `trainings` (`state`, `last_action_at`);
-- Create index "training_title" to table: "trainings"
CREATE INDEX `training_title` ON `trainings` (`title`);
-- Create "venues" table
CREATE TABLE `venues` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `siret` text NULL, `street` text NOT NULL, `locality` text NULL, `po_box` text NULL, `postcode` text NOT NULL, `city` text NOT NULL, `insee_code` text NULL, `latitude` real NOT NULL, `longitude` real NOT NULL, `phone` text NULL, `organization_id` integer NOT NULL, `session_venues` integer NULL, CONSTRAINT `venues_organizations_venues` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `venues_sessions_venues` FOREIGN KEY (`session_venues`) REFERENCES `sessions` (`id`) ON DELETE SET NULL);
-- Set sequence for "venues" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("venues", 103079215104);
-- Create index "venue_organization_id" to table: "venues"
CREATE INDEX `venue_organization_id` ON `venues` (`organization_id`);
-- Create index "venue_postcode" to table: "venues"
CREATE INDEX `venue_postcode` ON `venues` (`postcode`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
