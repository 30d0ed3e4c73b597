-- One trigram index over all the searchable text of a user, for `query` (which searches every
-- column): one index scan instead of six OR'd ones, and a selectivity estimate from the
-- expression's own statistics, so the planner no longer mistakes a rare needle for a common
-- one. The query repeats this expression exactly (see `store/users/search.rs`) and rechecks
-- the columns one by one, so a match across the separators is not a match.
CREATE INDEX user_search_all ON user_search USING gin (
    (emails || E'\n' || phones || E'\n' || usernames || E'\n' || names || E'\n' || wallets
        || E'\n' || ids) gin_trgm_ops
);
