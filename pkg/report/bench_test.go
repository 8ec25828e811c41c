package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/padron-org/padron/pkg/store"
)

// The board report's target (issue 7): 1,000,000 people and 5,000,000 donations in
// at most 30 s.
const (
	benchPeople    = 1_000_000
	benchDonations = 5_000_000
	benchDonors    = 400_000 // 40% of people gave
)

// benchStoreVersion names the cached store; bump it when the data built changes.
const benchStoreVersion = 1

// BenchmarkBoard1M times report.Board over a store of 1M people and 5M donations,
// built once with SQL and cached (PADRON_BENCH_STORE, or a file in os.TempDir) so
// that reruns only time the report:
//
//	go test -run '^$' -bench Board1M -benchtime 1x ./pkg/report/
func BenchmarkBoard1M(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("PADRON_BENCH_STORE")
	if path == "" {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("padron-bench-board-1m-v%d.duckdb", benchStoreVersion))
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := buildBenchStore(ctx, path); err != nil {
			b.Skipf("cannot build the benchmark store %s: %v", path, err)
		}
		b.Logf("built %s in %s", path, time.Since(start).Round(time.Second))
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	opts := Options{From: date("2025-01-01"), To: date("2025-12-31")}
	b.ResetTimer()
	var r *BoardReport
	for i := 0; i < b.N; i++ {
		if r, err = Board(ctx, st, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.Logf("people %d, donations in 2025 %+v, donors %d, top %d", r.People.Total, r.Donations.Totals,
		r.Donations.Donors, len(r.Donations.Top))
}

// buildBenchStore writes the benchmark store to path (through a temporary file, so
// that an interrupted build leaves nothing to reuse). Everything is INSERT ... SELECT
// from range(), with hash() standing in for a seeded random generator:
//
//   - 4 contact lists with 1,300,000 records of the 1,000,000 people (every person is
//     in the first list of their group, some are also in the others); bank
//     statement and donation list batches hold the 5,000,000 transactions;
//   - 400,000 donors (40%), with a skewed number of gifts each; 2% of the gifts
//     belong to no person; 3% of the statement lines are debits or fees;
//   - EUR (70%), PLN (20%), ARS (10%), amounts 1.00 to 500.99, dates over 2021–2025.
func buildBenchStore(ctx context.Context, path string) error {
	tmp := path + ".building"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	st, err := store.Open(ctx, tmp)
	if err != nil {
		return err
	}
	db := st.DB()
	const contactRecords = 1_300_000
	steps := []string{
		`INSERT INTO batches (id, file, path, sha256, size, format, mapping, mapping_how, records, problems, imported_at, actor, skipped)
		SELECT i, f, 'bench/' || f, 'sha' || i, 1000000, CASE WHEN i = 5 THEN 'camt053' ELSE 'csv' END,
			CASE WHEN i = 5 THEN NULL ELSE 'generic' END, 'fingerprint', 0, 0, TIMESTAMP '2026-01-01' + i * INTERVAL 1 DAY, 'bench', 0
		FROM (VALUES (1, 'socios.csv'), (2, 'newsletter.csv'), (3, 'eventos.csv'), (4, 'voluntarios.csv'),
			(5, 'banco.xml'), (6, 'donaciones.csv')) v(i, f)`,
		// Contact records 1..1,300,000: record r < 1,000,000 is person r+1 in list 1 or 2;
		// the rest repeat people in lists 3 and 4.
		fmt.Sprintf(`INSERT INTO records (id, batch_id, source_file, sheet, record_no, pos, raw, given_name, family_name,
			full_name, name_key, emails, phones, street, postcode, city, country, birth_date, opt_out, national_id)
		SELECT r + 1, b, f, '', r + 1, r + 2, '[]', 'Given' || (h %% 5000), 'Family' || (h %% 20000), NULL, NULL,
			CASE WHEN h %% 10 < 8 THEN ['p' || pid || '@example.org'] ELSE [] END,
			CASE WHEN h %% 10 < 5 THEN ['+3460' || lpad((pid %% 10000000)::VARCHAR, 7, '0')] ELSE [] END,
			CASE WHEN h %% 10 < 4 THEN 'Calle ' || (h %% 300) END, CASE WHEN h %% 10 < 4 THEN lpad((h %% 52000)::VARCHAR, 5, '0') END,
			CASE WHEN h %% 10 < 4 THEN 'City' || (h %% 400) END, 'ES',
			CASE WHEN h %% 7 = 0 THEN DATE '1940-01-01' + (h %% 25000)::INTEGER END, h %% 100 = 0,
			CASE WHEN h %% 9 = 0 THEN 'ID' || pid END
		FROM (SELECT r, hash(r) AS h, CASE WHEN r < %[1]d THEN r + 1 ELSE (hash(r + 7) %% %[1]d) + 1 END AS pid,
			CASE WHEN r < 700000 THEN 1 WHEN r < %[1]d THEN 2 WHEN r < 1200000 THEN 3 ELSE 4 END AS b,
			CASE WHEN r < 700000 THEN 'socios.csv' WHEN r < %[1]d THEN 'newsletter.csv' WHEN r < 1200000 THEN 'eventos.csv'
				ELSE 'voluntarios.csv' END AS f FROM range(%[2]d) t(r))`, benchPeople, contactRecords),
		fmt.Sprintf(`INSERT INTO links SELECT r + 1, CASE WHEN r < %[1]d THEN r + 1 ELSE (hash(r + 7) %% %[1]d) + 1 END, NULL, 1
		FROM range(%[2]d) t(r)`, benchPeople, contactRecords),
		// Transactions: record ids after the contacts; 60% are bank statement lines
		// (batch 5), 40% rows of a donation list (batch 6).
		fmt.Sprintf(`INSERT INTO records (id, batch_id, source_file, sheet, record_no, pos, raw)
		SELECT %[1]d + i + 1, CASE WHEN i %% 5 < 3 THEN 5 ELSE 6 END, CASE WHEN i %% 5 < 3 THEN 'banco.xml' ELSE 'donaciones.csv' END,
			'', i + 1, i + 2, '[]' FROM range(%[2]d) t(i)`, contactRecords, benchDonations),
		fmt.Sprintf(`INSERT INTO transactions (record_id, batch_id, origin, booking_date, value_date, amount, currency, kind, reversal, excluded)
		SELECT %[1]d + i + 1, CASE WHEN i %% 5 < 3 THEN 5 ELSE 6 END, CASE WHEN i %% 5 < 3 THEN 'statement' ELSE 'sheet' END,
			CASE WHEN h %% 50 <> 0 THEN DATE '2021-01-01' + (h %% 1826)::INTEGER END, DATE '2021-01-01' + (h %% 1826)::INTEGER,
			(1 + (h // 7) %% 50000 / 100.0)::DECIMAL(18,4) * CASE WHEN kind = 'credit' THEN 1 ELSE -1 END,
			CASE WHEN h %% 10 < 7 THEN 'EUR' WHEN h %% 10 < 9 THEN 'PLN' ELSE 'ARS' END, kind, false,
			CASE WHEN kind = 'credit' AND h %% 200 = 0 THEN 'own_transfer' END
		FROM (SELECT i, hash(i * 31 + 1) AS h, CASE WHEN i %% 5 < 3 AND hash(i) %% 100 < 2 THEN 'debit'
			WHEN i %% 5 < 3 AND hash(i) %% 100 < 3 THEN 'fee' ELSE 'credit' END AS kind FROM range(%[2]d) t(i))`,
			contactRecords, benchDonations),
		// Donors: a gift's donor is one of the first 400,000 donor slots, skewed towards
		// the lower slots (a few give often); slot k is person 1 + 5k/2. Debits, fees,
		// excluded credits and 2% of the rest belong to no one.
		fmt.Sprintf(`INSERT INTO links SELECT t.record_id,
			1 + (5 * least(%[2]d - 1, (%[2]d * pow((hash(t.record_id) %% 1000000) / 1000000.0, 1.6))::BIGINT)) // 2, NULL, 1
		FROM transactions t WHERE t.kind = 'credit' AND t.excluded IS NULL AND hash(t.record_id + 3) %% 50 <> 0`,
			benchPeople, benchDonors),
		`INSERT INTO attributions SELECT t.record_id, l.person_id, CASE WHEN l.person_id IS NULL THEN 'new' ELSE 'iban' END,
			1.0, NULL, 1 FROM transactions t LEFT JOIN links l ON l.record_id = t.record_id WHERE t.origin = 'statement' AND t.kind = 'credit'`,
		// People from their contact records, as dedupe's rebuild would make them.
		`INSERT INTO people (id, given_name, family_name, email, phone, street, postcode, city, country, birth_date, national_id,
			emails, phones, tags, sources, records, opted_out, addresses)
		SELECT l.person_id, any_value(r.given_name), any_value(r.family_name), min(r.emails[1]), min(r.phones[1]),
			min(r.street), min(r.postcode), min(r.city), 'ES', min(r.birth_date), min(r.national_id),
			list_distinct(flatten(list(r.emails) FILTER (WHERE r.emails IS NOT NULL))),
			list_distinct(flatten(list(r.phones) FILTER (WHERE r.phones IS NOT NULL))), [],
			list_sort(list(DISTINCT r.source_file)), count(*), bool_or(coalesce(r.opt_out, false)),
			list_distinct(list(concat_ws(', ', r.street, concat_ws(' ', r.postcode, r.city))) FILTER (WHERE r.street IS NOT NULL))
		FROM links l JOIN records r ON r.id = l.record_id GROUP BY l.person_id`,
		`UPDATE records SET opt_out = NULL WHERE batch_id > 4`,
		`INSERT INTO problems (batch_id, source_file, sheet, pos, record_no, column_name, field, value, reason)
		SELECT 1 + i % 4, 'socios.csv', '', i + 2, i + 1, 'Email', 'email', 'x@', 'not an email' FROM range(5000) t(i)`,
		`INSERT INTO match_runs VALUES (1, now(), now(), 'bench', 'full', 6300000, 6300000, 0, 0, 0, 0, 1000000, NULL, NULL)`,
		`UPDATE counters SET value = 6 WHERE name = 'batch'`,
		`UPDATE counters SET value = 6300000 WHERE name = 'record'`,
		`UPDATE counters SET value = 1000000 WHERE name = 'person'`,
		`UPDATE counters SET value = 1 WHERE name = 'run'`,
		`CHECKPOINT`,
	}
	for i, q := range steps {
		if _, err := db.ExecContext(ctx, q); err != nil {
			st.Close()
			os.Remove(tmp)
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	if err := st.Close(); err != nil {
		return err
	}
	os.Remove(tmp + ".wal")
	return os.Rename(tmp, path)
}
