-- Create "rate_limits" table
CREATE TABLE `rate_limits` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `key` text NOT NULL, `count` integer NOT NULL DEFAULT (0), `since` datetime NOT NULL, `next_at` datetime NULL, `expires_at` datetime NOT NULL);
-- Set sequence for "rate_limits" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("rate_limits", 107374182400);
-- Create index "rate_limits_key_key" to table: "rate_limits"
CREATE UNIQUE INDEX `rate_limits_key_key` ON `rate_limits` (`key`);
-- Create index "ratelimit_expires_at" to table: "rate_limits"
CREATE INDEX `ratelimit_expires_at` ON `rate_limits` (`expires_at`);
