-- Create "accreditations" table
CREATE TABLE `accreditations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `siret` text NOT NULL, `name` text NULL, `may_train` bool NOT NULL DEFAULT (false), `may_assess` bool NOT NULL DEFAULT (false), `certifier` bool NOT NULL DEFAULT (false), `end_date` datetime NULL, `organization_id` integer NULL, `certification_id` integer NOT NULL, CONSTRAINT `accreditations_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `accreditations_certifications_accreditations` FOREIGN KEY (`certification_id`) REFERENCES `certifications` (`id`) ON DELETE CASCADE);
-- Set sequence for "accreditations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("accreditations", 68719476736);
-- Create index "accreditation_certification_id_siret" to table: "accreditations"
CREATE UNIQUE INDEX `accreditation_certification_id_siret` ON `accreditations` (`certification_id`, `siret`);
-- Create index "accreditation_siret" to table: "accreditations"
CREATE INDEX `accreditation_siret` ON `accreditations` (`siret`);
-- Create index "accreditation_organization_id" to table: "accreditations"
CREATE INDEX `accreditation_organization_id` ON `accreditations` (`organization_id`);
-- Create "certifications" table
CREATE TABLE `certifications` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `title` text NOT NULL, `rncp_code` text NULL, `rs_code` text NULL, `acronym` text NULL, `acronym_label` text NULL, `school_code` text NULL, `certifier_names` json NULL, `certifier_sirets` json NULL, `level` integer NULL, `nsf_codes` json NULL, `formacodes` json NULL, `first_exam_session` datetime NULL, `last_exam_session` datetime NULL, `decision_date` datetime NULL, `registration_end_date` datetime NULL, `registration_type` text NULL, `state` text NOT NULL DEFAULT ('ACTIVE'), `apprenticeship` bool NOT NULL DEFAULT (false), `replaced_by_id` integer NULL, CONSTRAINT `certifications_certifications_replaces` FOREIGN KEY (`replaced_by_id`) REFERENCES `certifications` (`id`) ON DELETE SET NULL);
-- Set sequence for "certifications" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("certifications", 73014444032);
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
-- Create "reference_codes" table
CREATE TABLE `reference_codes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `list` text NOT NULL, `code` text NOT NULL, `label` text NOT NULL, `parent_code` text NULL, `position` integer NOT NULL DEFAULT (0), `active` bool NOT NULL DEFAULT (true));
-- Set sequence for "reference_codes" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("reference_codes", 77309411328);
-- Create index "referencecode_list_code" to table: "reference_codes"
CREATE UNIQUE INDEX `referencecode_list_code` ON `reference_codes` (`list`, `code`);
-- Create index "referencecode_list_parent_code" to table: "reference_codes"
CREATE INDEX `referencecode_list_parent_code` ON `reference_codes` (`list`, `parent_code`);
-- Create "skill_blocks" table
CREATE TABLE `skill_blocks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `code` text NOT NULL, `label` text NOT NULL, `certification_id` integer NOT NULL, CONSTRAINT `skill_blocks_certifications_skill_blocks` FOREIGN KEY (`certification_id`) REFERENCES `certifications` (`id`) ON DELETE CASCADE);
-- Set sequence for "skill_blocks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("skill_blocks", 81604378624);
-- Create index "skill_blocks_code_key" to table: "skill_blocks"
CREATE UNIQUE INDEX `skill_blocks_code_key` ON `skill_blocks` (`code`);
-- Create index "skillblock_certification_id" to table: "skill_blocks"
CREATE INDEX `skillblock_certification_id` ON `skill_blocks` (`certification_id`);
