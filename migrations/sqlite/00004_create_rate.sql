-- The create rate limit (SQLite): nothing to store. One process owns a
-- SQLite file, so the limit lives in that process's memory
-- (ratelimit.PerUser); on PostgreSQL this version makes the table that
-- every serve process shares. It exists here so that both engines list the
-- same versions.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
