-- Modify "organizations" table
ALTER TABLE "organizations" DROP COLUMN "session_trainers";
-- Create "session_trainers" table
CREATE TABLE "session_trainers" ("session_id" bigint NOT NULL, "organization_id" bigint NOT NULL, PRIMARY KEY ("session_id", "organization_id"), CONSTRAINT "session_trainers_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "session_trainers_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Modify "venues" table
ALTER TABLE "venues" DROP COLUMN "session_venues";
-- Create "session_venues" table
CREATE TABLE "session_venues" ("session_id" bigint NOT NULL, "venue_id" bigint NOT NULL, PRIMARY KEY ("session_id", "venue_id"), CONSTRAINT "session_venues_session_id" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "session_venues_venue_id" FOREIGN KEY ("venue_id") REFERENCES "venues" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Modify "certifications" table
ALTER TABLE "certifications" DROP COLUMN "training_certifications";
-- Create "training_certifications" table
CREATE TABLE "training_certifications" ("training_id" bigint NOT NULL, "certification_id" bigint NOT NULL, PRIMARY KEY ("training_id", "certification_id"), CONSTRAINT "training_certifications_certification_id" FOREIGN KEY ("certification_id") REFERENCES "certifications" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "training_certifications_training_id" FOREIGN KEY ("training_id") REFERENCES "trainings" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
