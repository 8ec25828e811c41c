package store

import (
	"context"
	"database/sql"
	"fmt"
)

// A migration moves the schema from version N-1 to N. Migrations are append-only:
// never edit one that has shipped, add the next.
type migration struct {
	version int
	sql     string
}

var migrations = []migration{
	{1, schemaV1},
	{2, schemaV2},
	{3, schemaV3},
	{4, schemaV4},
	{5, schemaV5},
	{6, schemaV6},
	{7, schemaV7},
	{8, schemaV8},
	{9, schemaV9},
	{10, schemaV10},
	{11, schemaV11},
	{12, schemaV12},
	{13, schemaV13},
}

// SchemaVersion is the newest schema this padron knows.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// NewerStoreError is returned for a store written by a newer padron.
type NewerStoreError struct{ Have, Know int }

func (e *NewerStoreError) Error() string {
	return fmt.Sprintf("written by a newer padron (schema version %d; this padron knows up to %d): upgrade padron to open it", e.Have, e.Know)
}

func currentVersion(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_meta'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_meta`).Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

// migrate upgrades the store in one transaction: a failed upgrade leaves it as it was.
func migrate(ctx context.Context, db *sql.DB, migs []migration) error {
	have, err := currentVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	know := migs[len(migs)-1].version
	if have > know {
		return &NewerStoreError{Have: have, Know: know}
	}
	if have == know {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, m := range migs {
		if m.version <= have {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("upgrade schema to version %d: %w", m.version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_meta VALUES (?, now())`, m.version); err != nil {
			return fmt.Errorf("record schema version %d: %w", m.version, err)
		}
	}
	return tx.Commit()
}

const schemaV1 = `
CREATE TABLE schema_meta (version INTEGER NOT NULL, migrated_at TIMESTAMP NOT NULL);

-- Counters hand out ids that are never reused, even after an import is undone.
CREATE TABLE counters (name VARCHAR PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters VALUES ('batch', 0), ('record', 0), ('event', 0);

-- One imported file.
CREATE TABLE batches (
	id          BIGINT PRIMARY KEY,
	file        VARCHAR NOT NULL,   -- base name, how stewards refer to it
	path        VARCHAR NOT NULL,   -- as given on the command line
	sha256      VARCHAR NOT NULL,
	size        BIGINT NOT NULL,
	format      VARCHAR NOT NULL,
	encoding    VARCHAR,
	delimiter   VARCHAR,
	mapping     VARCHAR,
	mapping_how VARCHAR,
	records     INTEGER NOT NULL,
	problems    INTEGER NOT NULL,
	imported_at TIMESTAMP NOT NULL,
	actor       VARCHAR
);

-- Each table (sheet) of a batch, with its header as found in the file.
CREATE TABLE batch_tables (
	batch_id   BIGINT NOT NULL,
	sheet      VARCHAR NOT NULL,
	header_pos INTEGER,             -- physical row of the header; NULL when headerless
	columns    VARCHAR[] NOT NULL,
	mapping    VARCHAR,
	fields     VARCHAR[] NOT NULL   -- canonical field per column, '' when unmapped
);

-- Records are facts: one per data row, never changed after import.
CREATE TABLE records (
	id           BIGINT NOT NULL,
	batch_id     BIGINT NOT NULL,
	source_file  VARCHAR NOT NULL,
	sheet        VARCHAR NOT NULL,
	record_no    INTEGER NOT NULL,  -- 1-based among the file's data records, in file order
	pos          INTEGER NOT NULL,  -- physical row/line in the file
	raw          JSON NOT NULL,     -- the row verbatim, as a JSON array of strings
	source       VARCHAR,
	given_name   VARCHAR,
	family_name  VARCHAR,
	full_name    VARCHAR,
	name_key     VARCHAR,           -- folded "given family" for matching
	emails       VARCHAR[],
	phones       VARCHAR[],
	street       VARCHAR,
	postcode     VARCHAR,
	city         VARCHAR,
	region       VARCHAR,
	country      VARCHAR,
	birth_date   DATE,
	organization VARCHAR,
	tags         VARCHAR[],
	notes        VARCHAR,
	opt_out      BOOLEAN,
	consent      BOOLEAN,
	external_id  VARCHAR,
	amount       DECIMAL(18,2),
	currency     VARCHAR,
	date         DATE,
	iban         VARCHAR,
	reference    VARCHAR
);

-- Everything wrong with a row or a value, named by file, row and column.
CREATE TABLE problems (
	batch_id    BIGINT NOT NULL,
	record_id   BIGINT,
	source_file VARCHAR NOT NULL,
	sheet       VARCHAR NOT NULL,
	pos         INTEGER,
	record_no   INTEGER,
	column_name VARCHAR,
	field       VARCHAR,
	value       VARCHAR,
	reason      VARCHAR NOT NULL
);

-- The log of every change of conclusion (imports, undo, and later merges).
CREATE TABLE events (
	id       BIGINT PRIMARY KEY,
	logged_at TIMESTAMP NOT NULL,
	actor    VARCHAR,
	kind     VARCHAR NOT NULL,
	batch_id BIGINT,
	detail   JSON
);
`

// Version 2: opt-out facts from mailing tools (why and when), and suppressions: every
// email of a record that says its person opted out, whatever file it came from.
const schemaV2 = `
ALTER TABLE records ADD COLUMN opt_out_reason VARCHAR;
ALTER TABLE records ADD COLUMN opt_out_date DATE;
CREATE VIEW suppressions AS
	SELECT unnest(emails) AS email, 'email' AS channel, coalesce(opt_out_reason, 'opted out') AS reason,
		opt_out_date AS since, source, source_file, record_no, batch_id, id AS record_id
	FROM records WHERE opt_out;
`

// Version 3: mappings remembered by header fingerprint, so next month's export from the
// same system imports with no flags.
const schemaV3 = `
CREATE TABLE mapping_memory (
	fingerprint VARCHAR PRIMARY KEY,
	name        VARCHAR NOT NULL,
	yaml        VARCHAR NOT NULL,
	file        VARCHAR,
	saved_at    TIMESTAMP NOT NULL
);
`

// Version 4: a person's national identity or tax number (DNI, NIE, CUIT/CUIL, PESEL),
// normalised and checked, and their occupation.
const schemaV4 = `
ALTER TABLE records ADD COLUMN national_id VARCHAR;
ALTER TABLE records ADD COLUMN occupation VARCHAR;
`
