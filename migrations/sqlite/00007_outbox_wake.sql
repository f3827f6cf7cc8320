-- Waking the relay (SQLite): nothing to change. On PostgreSQL this version
-- drops the NOTIFY trigger of 00005; SQLite never had one (its one relay
-- is woken within its process). It exists here so that both engines list
-- the same versions.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
