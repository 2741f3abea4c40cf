-- Create "training_transitions" table
CREATE TABLE `training_transitions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `training_id` integer NOT NULL, `organization_id` integer NOT NULL, `author_id` integer NULL, `state` text NOT NULL, `change_state` text NOT NULL, `comment` text NULL, `created_at` datetime NOT NULL, `txid` integer NULL DEFAULT (0));
-- Set sequence for "training_transitions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("training_transitions", 115964116992);
-- Create index "trainingtransition_organization_id_txid_id" to table: "training_transitions"
CREATE INDEX `trainingtransition_organization_id_txid_id` ON `training_transitions` (`organization_id`, `txid`, `id`);
-- Create index "trainingtransition_txid_id" to table: "training_transitions"
CREATE INDEX `trainingtransition_txid_id` ON `training_transitions` (`txid`, `id`);
-- Create index "trainingtransition_training_id" to table: "training_transitions"
CREATE INDEX `trainingtransition_training_id` ON `training_transitions` (`training_id`);
