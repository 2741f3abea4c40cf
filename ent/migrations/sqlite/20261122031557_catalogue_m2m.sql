-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_organizations" table
CREATE TABLE `new_organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `reference` text NOT NULL, `name` text NOT NULL, `kinds` json NULL, `siret` text NULL, `siren` text NULL, `nda` text NULL, `ape_code` text NULL, `street` text NULL, `street2` text NULL, `postcode` text NULL, `city` text NULL, `insee_code` text NULL, `latitude` real NULL, `longitude` real NULL, `contact_points` json NULL, `site_code` text NULL, `facilities` json NULL, `qualiopi` json NULL, `other_labels` json NULL, `contact_requests` text NULL, `parent_id` integer NULL, CONSTRAINT `organizations_organizations_branches` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_organizations", 17179869184);
-- Copy rows from old table "organizations" to new temporary table "new_organizations"
INSERT INTO `new_organizations` (`id`, `created_at`, `updated_at`, `reference`, `name`, `kinds`, `siret`, `siren`, `nda`, `ape_code`, `street`, `street2`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `contact_points`, `site_code`, `facilities`, `qualiopi`, `other_labels`, `contact_requests`, `parent_id`) SELECT `id`, `created_at`, `updated_at`, `reference`, `name`, `kinds`, `siret`, `siren`, `nda`, `ape_code`, `street`, `street2`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `contact_points`, `site_code`, `facilities`, `qualiopi`, `other_labels`, `contact_requests`, `parent_id` FROM `organizations`;
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
CREATE TABLE `new_certifications` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `title` text NOT NULL, `rncp_code` text NULL, `rs_code` text NULL, `acronym` text NULL, `acronym_label` text NULL, `school_code` text NULL, `certifier_names` json NULL, `certifier_sirets` json NULL, `level` integer NULL, `nsf_codes` json NULL, `formacodes` json NULL, `first_exam_session` datetime NULL, `last_exam_session` datetime NULL, `decision_date` datetime NULL, `registration_end_date` datetime NULL, `registration_type` text NULL, `state` text NOT NULL DEFAULT ('ACTIVE'), `apprenticeship` bool NOT NULL DEFAULT (false), `objective` text NULL, `content` text NULL, `replaced_by_id` integer NULL, CONSTRAINT `certifications_certifications_replaces` FOREIGN KEY (`replaced_by_id`) REFERENCES `certifications` (`id`) ON DELETE SET NULL);
-- Set sequence for "new_certifications" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_certifications", 73014444032);
-- Copy rows from old table "certifications" to new temporary table "new_certifications"
INSERT INTO `new_certifications` (`id`, `created_at`, `updated_at`, `code`, `title`, `rncp_code`, `rs_code`, `acronym`, `acronym_label`, `school_code`, `certifier_names`, `certifier_sirets`, `level`, `nsf_codes`, `formacodes`, `first_exam_session`, `last_exam_session`, `decision_date`, `registration_end_date`, `registration_type`, `state`, `apprenticeship`, `objective`, `content`, `replaced_by_id`) SELECT `id`, `created_at`, `updated_at`, `code`, `title`, `rncp_code`, `rs_code`, `acronym`, `acronym_label`, `school_code`, `certifier_names`, `certifier_sirets`, `level`, `nsf_codes`, `formacodes`, `first_exam_session`, `last_exam_session`, `decision_date`, `registration_end_date`, `registration_type`, `state`, `apprenticeship`, `objective`, `content`, `replaced_by_id` FROM `certifications`;
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
-- Create "new_venues" table
CREATE TABLE `new_venues` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `siret` text NULL, `street` text NOT NULL, `locality` text NULL, `po_box` text NULL, `postcode` text NOT NULL, `city` text NOT NULL, `insee_code` text NULL, `latitude` real NOT NULL, `longitude` real NOT NULL, `phone` text NULL, `organization_id` integer NOT NULL, CONSTRAINT `venues_organizations_venues` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Set sequence for "new_venues" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_venues", 103079215104);
-- Copy rows from old table "venues" to new temporary table "new_venues"
INSERT INTO `new_venues` (`id`, `created_at`, `updated_at`, `name`, `siret`, `street`, `locality`, `po_box`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `phone`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `siret`, `street`, `locality`, `po_box`, `postcode`, `city`, `insee_code`, `latitude`, `longitude`, `phone`, `organization_id` FROM `venues`;
-- Drop "venues" table after copying rows
DROP TABLE `venues`;
-- Rename temporary table "new_venues" to "venues"
ALTER TABLE `new_venues` RENAME TO `venues`;
-- Create index "venue_organization_id" to table: "venues"
CREATE INDEX `venue_organization_id` ON `venues` (`organization_id`);
-- Create index "venue_postcode" to table: "venues"
CREATE INDEX `venue_postcode` ON `venues` (`postcode`);
-- Create "session_trainers" table
CREATE TABLE `session_trainers` (`session_id` integer NOT NULL, `organization_id` integer NOT NULL, PRIMARY KEY (`session_id`, `organization_id`), CONSTRAINT `session_trainers_session_id` FOREIGN KEY (`session_id`) REFERENCES `sessions` (`id`) ON DELETE CASCADE, CONSTRAINT `session_trainers_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE);
-- Create "session_venues" table
CREATE TABLE `session_venues` (`session_id` integer NOT NULL, `venue_id` integer NOT NULL, PRIMARY KEY (`session_id`, `venue_id`), CONSTRAINT `session_venues_session_id` FOREIGN KEY (`session_id`) REFERENCES `sessions` (`id`) ON DELETE CASCADE, CONSTRAINT `session_venues_venue_id` FOREIGN KEY (`venue_id`) REFERENCES `venues` (`id`) ON DELETE CASCADE);
-- Create "training_certifications" table
CREATE TABLE `training_certifications` (`training_id` integer NOT NULL, `certification_id` integer NOT NULL, PRIMARY KEY (`training_id`, `certification_id`), CONSTRAINT `training_certifications_training_id` FOREIGN KEY (`training_id`) REFERENCES `trainings` (`id`) ON DELETE CASCADE, CONSTRAINT `training_certifications_certification_id` FOREIGN KEY (`certification_id`) REFERENCES `certifications` (`id`) ON DELETE CASCADE);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
