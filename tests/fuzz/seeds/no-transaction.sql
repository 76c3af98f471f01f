-- algoadmin:no-transaction
CREATE INDEX CONCURRENTLY i ON t (x);
VACUUM t;
