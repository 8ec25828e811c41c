package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/normalize"
)

// Erasure (the right to be forgotten). Forget removes one or more people and every
// trace of them from the store in one transaction, keeps only salted hashes of their
// emails, phones and bank transactions' keys (so that a later import or push of them is
// refused), and then rewrites the store file, because DuckDB does not zero the blocks
// it frees: without the rewrite, deleted values stay readable in the file.

// ForgetTarget names who to erase: people, and records no dedupe has placed yet.
type ForgetTarget struct {
	People  []int64
	Records []int64
}

// ForgetReceipt says what an erasure removed, without any personal value.
type ForgetReceipt struct {
	Event   int64   `json:"log_entry"`
	People  []int64 `json:"people"`
	Records int     `json:"records"`
	// Removed counts the rows deleted per table; Anonymized the rows kept with their
	// personal fields removed (donations, so that totals still add up).
	Removed    map[string]int64 `json:"removed"`
	Anonymized map[string]int64 `json:"anonymized"`
	Hashes     int              `json:"hashes_kept"`
	ErasedAt   time.Time        `json:"erased_at"`
	// Rewritten says the store file was rewritten without the freed blocks.
	Rewritten bool `json:"file_rewritten"`
}

// ErasedError is returned when rewriting the file failed after the erasure itself was
// committed: the values are gone from the store's tables, but may remain in free
// blocks of the file until a later rewrite succeeds.
type ErasedError struct{ Err error }

func (e *ErasedError) Error() string {
	return fmt.Sprintf("erased from the store, but the file could not be rewritten (erased values may remain in its free space until it is): %v", e.Err)
}

func (e *ErasedError) Unwrap() error { return e.Err }

// idList writes ids as a SQL list ("1,2,3"); ids are numbers, never text from users.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// erasureHash is the salted hash kept for an erased value.
func erasureHash(salt, value string) string {
	h := sha256.Sum256([]byte(salt + value))
	return hex.EncodeToString(h[:])
}

// erasureSalt returns the store's salt, made on first use.
func erasureSalt(ctx context.Context, q execQuerier, create bool) (string, error) {
	var salt string
	err := q.QueryRowContext(ctx, `SELECT salt FROM erasure_salt LIMIT 1`).Scan(&salt)
	if err == nil || !errors.Is(err, sql.ErrNoRows) || !create {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return salt, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	salt = hex.EncodeToString(b)
	_, err = q.ExecContext(ctx, `INSERT INTO erasure_salt VALUES (?)`, salt)
	return salt, err
}

// Forget erases the target's people and records from every table, in one transaction,
// and then rewrites the store file. See ForgetReceipt for what it reports; the log
// gets a "forget" event naming only ids and counts.
func (s *Store) Forget(ctx context.Context, t ForgetTarget, actor string) (*ForgetReceipt, error) {
	if len(t.People) == 0 && len(t.Records) == 0 {
		return nil, errors.New("forget: nobody named")
	}
	rc := &ForgetReceipt{Removed: map[string]int64{}, Anonymized: map[string]int64{}, ErasedAt: time.Now().UTC()}
	err := s.withTx(ctx, func(conn *sql.Conn) error { return forget(ctx, conn, t, actor, rc) })
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	if s.path == "" {
		return rc, nil
	}
	if err := s.Rewrite(ctx); err != nil {
		return rc, &ErasedError{Err: err}
	}
	rc.Rewritten = true
	return rc, nil
}

func forget(ctx context.Context, conn *sql.Conn, t ForgetTarget, actor string, rc *ForgetReceipt) error {
	exec := func(what, q string, args ...any) (int64, error) {
		res, err := conn.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		n, _ := res.RowsAffected()
		return n, nil
	}
	people := append([]int64{}, t.People...)
	sort.Slice(people, func(i, j int) bool { return people[i] < people[j] })
	for _, p := range people {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, p).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no person %d: see 'padron people'", p)
		}
	}
	rc.People = people
	P := idList(people)
	// The records: the people's own, and the unplaced ones named.
	if _, err := exec("records", `CREATE OR REPLACE TEMP TABLE forget_r AS SELECT DISTINCT id FROM (
		SELECT record_id AS id FROM links WHERE person_id IN (`+P+`)
		UNION ALL SELECT id FROM records WHERE id IN (`+idList(t.Records)+`))`); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM forget_r`).Scan(&rc.Records); err != nil {
		return err
	}
	const R = `(SELECT id FROM forget_r)`
	// Their emails and phones, as records and golden records hold them.
	emails, err := strings1(ctx, conn, `SELECT DISTINCT lower(e) FROM (
		SELECT unnest(emails) AS e FROM records WHERE id IN `+R+`
		UNION ALL SELECT unnest(emails) FROM people WHERE id IN (`+P+`)) WHERE e IS NOT NULL AND e <> ''`)
	if err != nil {
		return err
	}
	phones, err := strings1(ctx, conn, `SELECT DISTINCT p FROM (
		SELECT unnest(phones) AS p FROM records WHERE id IN `+R+`
		UNION ALL SELECT unnest(phones) FROM people WHERE id IN (`+P+`)) WHERE p IS NOT NULL AND p <> ''`)
	if err != nil {
		return err
	}
	mailboxes := map[string]bool{}
	for _, e := range emails {
		mailboxes[e] = true
		if m := normalize.Mailbox(e); m != "" {
			mailboxes[m] = true
		}
	}
	// Values that may stand in other tables (pushes, pulls, consent, problem values).
	if _, err := exec("values", `CREATE OR REPLACE TEMP TABLE forget_v (v VARCHAR, kind VARCHAR)`); err != nil {
		return err
	}
	for m := range mailboxes {
		if _, err := exec("values", `INSERT INTO forget_v VALUES (?, 'email')`, m); err != nil {
			return err
		}
	}
	for _, p := range phones {
		if _, err := exec("values", `INSERT INTO forget_v VALUES (?, 'phone')`, p); err != nil {
			return err
		}
	}
	// Push members are matched by mailbox, as pushes send to it.
	pushed, err := strings1(ctx, conn, `SELECT DISTINCT email FROM push_members`)
	if err != nil {
		return err
	}
	for _, e := range pushed {
		if mailboxes[normalize.Mailbox(e)] || mailboxes[strings.ToLower(e)] {
			if _, err := exec("values", `INSERT INTO forget_v VALUES (?, 'pushed')`, e); err != nil {
				return err
			}
		}
	}

	salt, err := erasureSalt(ctx, conn, true)
	if err != nil {
		return fmt.Errorf("erasure salt: %w", err)
	}
	hashes := map[string]string{} // hash → kind
	for m := range mailboxes {
		if normalize.Mailbox(m) == m {
			hashes[erasureHash(salt, m)] = ChannelEmail
		}
	}
	for _, p := range phones {
		hashes[erasureHash(salt, p)] = ChannelPhone
	}
	// Their donations keep amount, currency, date and kind; the bank's key of each
	// (which holds the payer's account and title) is kept only as a salted hash, so a
	// statement imported again does not bring the payment back.
	type txKey struct {
		record int64
		key    string
	}
	var keys []txKey
	rows, err := conn.QueryContext(ctx, `SELECT record_id, dedup_key FROM transactions
		WHERE record_id IN `+R+` AND dedup_key IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k txKey
		if err := rows.Scan(&k.record, &k.key); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		h := erasureHash(salt, k.key)
		hashes[h] = "transaction"
		if _, err := exec("transactions", `UPDATE transactions SET dedup_key = ? WHERE record_id = ?`, "erased:"+h, k.record); err != nil {
			return err
		}
	}
	// Distinctive words of the people (names, street, ids), to find them in free text
	// such as a payment's reference or the matcher's term frequencies.
	if _, err := exec("values", `CREATE OR REPLACE TEMP TABLE forget_tok AS SELECT DISTINCT `+sqlFold("v")+` AS f, distinctive FROM (
		SELECT unnest([given_name, postcode, city, occupation, CAST(birth_date AS VARCHAR), strftime(birth_date, '%Y%m%d'),
			region, country]) AS v, false AS distinctive FROM records WHERE id IN `+R+`
		UNION ALL SELECT unnest([family_name, full_name, name_key, street, national_id, iban, external_id, organization]
			|| coalesce(emails, []) || coalesce(phones, [])
			|| list_transform(coalesce(emails, []), x -> split_part(x, '@', 1))), true FROM records WHERE id IN `+R+`)
		WHERE v IS NOT NULL AND length(v) >= 2`); err != nil {
		return err
	}

	count := func(table, q string, args ...any) error {
		n, err := exec(table, q, args...)
		rc.Removed[table] += n
		return err
	}
	steps := []struct{ table, q string }{
		// Problems hold raw values: those of the records, and any naming their email or phone.
		{"problems", `DELETE FROM problems p WHERE p.record_id IN ` + R + ` OR EXISTS (SELECT 1 FROM records r
			WHERE r.id IN ` + R + ` AND r.batch_id = p.batch_id AND r.record_no = p.record_no)
			OR EXISTS (SELECT 1 FROM forget_v v WHERE contains(lower(p.value), lower(v.v)))`},
		{"match_pairs", `DELETE FROM match_pairs WHERE record_a IN ` + R + ` OR record_b IN ` + R},
		{"decisions", `DELETE FROM decisions WHERE record_a IN ` + R + ` OR record_b IN ` + R},
		{"log_changes", `DELETE FROM log_changes WHERE record_id IN ` + R},
		{"push_members", `DELETE FROM push_members WHERE person_id IN (` + P + `) OR email IN (SELECT v FROM forget_v)
			OR lower(email) IN (SELECT v FROM forget_v)`},
		{"pulled_suppressions", `DELETE FROM pulled_suppressions WHERE lower(email) IN (SELECT v FROM forget_v)`},
		{"consent", `DELETE FROM consent WHERE person_id IN (` + P + `)
			OR (subject_kind = 'email' AND lower(subject) IN (SELECT v FROM forget_v))
			OR (subject_kind = 'phone' AND subject IN (SELECT v FROM forget_v))
			OR (subject_kind = 'person' AND TRY_CAST(subject AS BIGINT) IN (` + P + `))`},
		{"attributions", `DELETE FROM attributions WHERE record_id IN ` + R + ` OR person_id IN (` + P + `)`},
		{"links", `DELETE FROM links WHERE record_id IN ` + R + ` OR person_id IN (` + P + `)`},
		{"people", `DELETE FROM people WHERE id IN (` + P + `)`},
		{"records", `DELETE FROM records WHERE id IN ` + R + ` AND id NOT IN (SELECT record_id FROM transactions)`},
		// Term frequencies the matcher kept: a value of theirs goes unless another
		// record still has it (then it says nothing about them).
		{"match_tf", `DELETE FROM match_tf m WHERE m.value IS NOT NULL AND EXISTS (SELECT 1 FROM forget_tok t
			WHERE ` + sqlFold("m.value") + ` = t.f OR (t.distinctive AND length(t.f) >= 5 AND contains(` + sqlFold("m.value") + `, t.f)))
			AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id NOT IN ` + R + ` AND (
				` + sqlFold("r.given_name") + ` = ` + sqlFold("m.value") + ` OR ` + sqlFold("r.family_name") + ` = ` + sqlFold("m.value") + `
				OR r.postcode = m.value OR ` + sqlFold("r.city") + ` = ` + sqlFold("m.value") + `
				OR ` + sqlFold("r.occupation") + ` = ` + sqlFold("m.value") + ` OR strftime(r.birth_date, '%Y%m%d') = m.value
				OR CAST(r.birth_date AS VARCHAR) = m.value OR list_contains(r.emails, m.value) OR list_contains(r.phones, m.value)
				OR list_contains(list_transform(coalesce(r.emails, []), x -> split_part(x, '@', 1)), m.value)))`},
	}
	// A donation's reference goes too when it names them.
	if _, err := exec("transactions", `UPDATE transactions t SET bank_reference = NULL WHERE t.record_id IN `+R+`
		AND EXISTS (SELECT 1 FROM forget_tok k WHERE k.distinctive AND length(k.f) >= 3
			AND contains(`+sqlFold("t.bank_reference")+`, k.f))`); err != nil {
		return err
	}
	n, err := exec("transactions", `UPDATE transactions SET counterparty_name = NULL, counterparty_iban = NULL,
		counterparty_bank = NULL, title = NULL, customer_reference = NULL, anonymized = ? WHERE record_id IN `+R, rc.ErasedAt)
	if err != nil {
		return err
	}
	rc.Anonymized["transactions"] = n
	// A donation's own record stays, stripped to where it came from and the money, so
	// that every listing of donations still finds it.
	n, err = exec("records", `UPDATE records SET raw = '[]', given_name = NULL, family_name = NULL, full_name = NULL,
		name_key = NULL, emails = NULL, phones = NULL, street = NULL, postcode = NULL, city = NULL, region = NULL,
		country = NULL, birth_date = NULL, organization = NULL, tags = NULL, notes = NULL, opt_out = NULL,
		consent = NULL, external_id = NULL, iban = NULL, reference = NULL, opt_out_reason = NULL, opt_out_date = NULL,
		national_id = NULL, occupation = NULL WHERE id IN `+R+` AND id IN (SELECT record_id FROM transactions)`)
	if err != nil {
		return err
	}
	rc.Anonymized["records"] = n
	for _, st := range steps {
		if err := count(st.table, st.q); err != nil {
			return err
		}
	}
	if _, err := exec("attributions", `UPDATE attributions SET candidate = NULL WHERE candidate IN (`+P+`)`); err != nil {
		return err
	}
	if _, err := exec("problems", `UPDATE problems SET value = NULL WHERE EXISTS (SELECT 1 FROM forget_tok k
		WHERE k.distinctive AND length(k.f) >= 5 AND contains(`+sqlFold("problems.value")+`, k.f))`); err != nil {
		return err
	}
	recs, err := queryList[int64](ctx, conn, `SELECT id FROM forget_r`)
	if err != nil {
		return err
	}
	scrubbed, err := scrubEvents(ctx, conn, people, recs)
	if err != nil {
		return err
	}
	rc.Anonymized["events"] = scrubbed
	for _, tbl := range []string{"forget_r", "forget_v", "forget_tok"} {
		if _, err := exec("cleanup", `DROP TABLE `+tbl); err != nil {
			return err
		}
	}
	if err := refreshOptOuts(ctx, conn); err != nil {
		return err
	}
	detail := map[string]any{"people": people, "records": rc.Records, "removed": rc.Removed,
		"anonymized": rc.Anonymized, "hashes_kept": len(hashes)}
	if err := logEvent(ctx, conn, actor, "forget", 0, detail); err != nil {
		return err
	}
	ev, err := currentCounter(ctx, conn, "event")
	if err != nil {
		return err
	}
	rc.Event = ev
	hs := make([]string, 0, len(hashes))
	for h := range hashes {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		if _, err := exec("erased", `INSERT INTO erased SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM erased WHERE hash = ?)`,
			h, hashes[h], rc.ErasedAt, ev, h); err != nil {
			return err
		}
	}
	rc.Hashes = len(hashes)
	return nil
}

func strings1(ctx context.Context, conn *sql.Conn, q string) ([]string, error) {
	return queryList[string](ctx, conn, q)
}

func queryList[T any](ctx context.Context, db querier, q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scrubEvents takes the erased records and people out of the log's details (merge,
// review, unmerge and undo entries name them by id), marking each entry it changed.
// No detail holds a personal value: only ids, counts and file names.
func scrubEvents(ctx context.Context, conn *sql.Conn, people, records []int64) (int64, error) {
	isP, isR := map[int64]bool{}, map[int64]bool{}
	for _, p := range people {
		isP[p] = true
	}
	for _, r := range records {
		isR[r] = true
	}
	type ev struct {
		id     int64
		detail string
	}
	rows, err := conn.QueryContext(ctx, `SELECT id, CAST(detail AS VARCHAR) FROM events WHERE detail IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.id, &e.detail); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var n int64
	for _, e := range evs {
		var d map[string]any
		if json.Unmarshal([]byte(e.detail), &d) != nil {
			continue
		}
		changed := false
		for k, v := range d {
			var is map[int64]bool
			switch k {
			case "records", "record":
				is = isR
			case "people", "into", "from", "person":
				is = isP
			default:
				continue
			}
			switch x := v.(type) {
			case float64:
				// "records" and "people" as numbers are counts (imports, dedupe runs).
				if k != "records" && k != "people" && is[int64(x)] {
					d[k], changed = nil, true
				}
			case []any:
				kept := make([]any, 0, len(x))
				for _, y := range x {
					if f, ok := y.(float64); ok && is[int64(f)] {
						changed = true
						continue
					}
					kept = append(kept, y)
				}
				d[k] = kept
			}
		}
		if !changed {
			continue
		}
		d["erased"] = true
		js, err := json.Marshal(d)
		if err != nil {
			return 0, err
		}
		if _, err := conn.ExecContext(ctx, `UPDATE events SET detail = ? WHERE id = ?`, string(js), e.id); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// ErasedMatcher returns a function telling whether an email belongs to a person erased
// from the store (compared by mailbox, see normalize.Mailbox): a push must not send it.
func (s *Store) ErasedMatcher(ctx context.Context) (func(email string) bool, error) {
	f, err := loadErased(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("erased people: %w", err)
	}
	if f == nil {
		return func(string) bool { return false }, nil
	}
	return func(email string) bool {
		m := normalize.Mailbox(email)
		return m != "" && f.hashes[erasureHash(f.salt, m)] != nil
	}, nil
}

// erasedFilter keeps erased people out of an import: a record carrying an erased email
// or phone, or a bank transaction whose key was erased, is not stored, and a problem
// says so without the value.
type erasedFilter struct {
	salt    string
	hashes  map[string]*time.Time // hash → when erased
	records map[int64]bool        // records of this batch refused
	nos     map[int]bool          // their record numbers
}

type erasedQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// loadErased reads the erased hashes; nil when nobody was ever erased.
func loadErased(ctx context.Context, q erasedQuerier) (*erasedFilter, error) {
	salt, err := erasureSalt(ctx, q, false)
	if err != nil || salt == "" {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT hash, erased_at FROM erased`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := &erasedFilter{salt: salt, hashes: map[string]*time.Time{}, records: map[int64]bool{}, nos: map[int]bool{}}
	for rows.Next() {
		var h string
		var at time.Time
		if err := rows.Scan(&h, &at); err != nil {
			return nil, err
		}
		f.hashes[h] = &at
	}
	if len(f.hashes) == 0 {
		return nil, rows.Err()
	}
	return f, rows.Err()
}

func erasedReason(at time.Time) string {
	return "belongs to a person erased on " + at.UTC().Format("2006-01-02") + " (right to erasure); not imported"
}

// match returns when the first erased value of emails and phones was erased.
func (f *erasedFilter) match(emails, phones []string) (time.Time, bool) {
	for _, e := range emails {
		if m := normalize.Mailbox(e); m != "" {
			if at := f.hashes[erasureHash(f.salt, m)]; at != nil {
				return *at, true
			}
		}
	}
	for _, p := range phones {
		if at := f.hashes[erasureHash(f.salt, p)]; at != nil {
			return *at, true
		}
	}
	return time.Time{}, false
}

// filter drops the encoded records of erased people and their problems, adding a
// problem for each record dropped.
func (f *erasedFilter) filter(w *BatchWriter, records []byte, n int, problems []byte, np int) ([]byte, int, []byte, int) {
	var keptRecs, keptProbs []byte
	var added []byte
	for _, line := range splitLines(records) {
		var r struct {
			ID       int64    `json:"id"`
			Sheet    string   `json:"sheet"`
			RecordNo int      `json:"record_no"`
			Pos      int      `json:"pos"`
			Emails   []string `json:"emails"`
			Phones   []string `json:"phones"`
		}
		if json.Unmarshal(line, &r) != nil {
			keptRecs = append(keptRecs, line...)
			continue
		}
		at, erased := f.match(r.Emails, r.Phones)
		if !erased {
			keptRecs = append(keptRecs, line...)
			continue
		}
		f.records[r.ID], f.nos[r.RecordNo] = true, true
		n--
		added = EncodeProblem(added, w.batch.ID, w.batch.File, &Problem{Sheet: r.Sheet, Pos: r.Pos, RecordNo: r.RecordNo,
			Reason: erasedReason(at)})
		np++
	}
	if len(f.records) == 0 {
		return records, n, problems, np
	}
	for _, line := range splitLines(problems) {
		var p struct {
			RecordID int64 `json:"record_id"`
			RecordNo int   `json:"record_no"`
		}
		if json.Unmarshal(line, &p) == nil && (f.records[p.RecordID] || p.RecordID == 0 && f.nos[p.RecordNo]) {
			np--
			continue
		}
		keptProbs = append(keptProbs, line...)
	}
	return keptRecs, n, append(keptProbs, added...), np
}

// commit finishes the filter inside the batch's transaction, before the counts are
// checked: the transactions of refused records go, and so do the transactions whose
// bank key was erased, with their records and problems (a statement imported again
// must not bring an erased person's payment back), each refusal said by a problem.
func (f *erasedFilter) commit(ctx context.Context, w *BatchWriter) error {
	if f == nil {
		return nil
	}
	rows, err := w.conn.QueryContext(ctx, `SELECT t.record_id, t.dedup_key, r.sheet, r.record_no, r.pos FROM transactions t
		JOIN records r ON r.id = t.record_id WHERE t.batch_id = ? AND t.dedup_key IS NOT NULL ORDER BY t.record_id`, w.batch.ID)
	if err != nil {
		return err
	}
	type refused struct {
		id      int64
		sheet   string
		no, pos int
		at      time.Time
	}
	var late []refused
	for rows.Next() {
		var r refused
		var key string
		if err := rows.Scan(&r.id, &key, &r.sheet, &r.no, &r.pos); err != nil {
			rows.Close()
			return err
		}
		if at := f.hashes[erasureHash(f.salt, key)]; at != nil {
			r.at = *at
			late = append(late, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	gone := make([]int64, 0, len(f.records)+len(late))
	for id := range f.records {
		gone = append(gone, id)
	}
	lateIDs := make([]int64, len(late))
	for i, r := range late {
		lateIDs[i] = r.id
	}
	gone = append(gone, lateIDs...)
	if len(gone) == 0 {
		return nil
	}
	for _, st := range []struct {
		q string
		n *int
	}{
		{`DELETE FROM transactions WHERE batch_id = ? AND record_id IN (` + idList(gone) + `)`, &w.transactions},
		{`DELETE FROM problems WHERE batch_id = ? AND record_id IN (` + idList(lateIDs) + `)`, &w.problems},
		{`DELETE FROM records WHERE batch_id = ? AND id IN (` + idList(lateIDs) + `)`, &w.records},
	} {
		res, err := w.conn.ExecContext(ctx, st.q, w.batch.ID)
		if err != nil {
			return fmt.Errorf("leave out erased people: %w", err)
		}
		k, _ := res.RowsAffected()
		*st.n -= int(k)
	}
	for _, r := range late {
		if _, err := w.conn.ExecContext(ctx, `INSERT INTO problems (batch_id, source_file, sheet, pos, record_no, reason)
			VALUES (?, ?, ?, ?, ?, ?)`, w.batch.ID, w.batch.File, r.sheet, r.pos, r.no, erasedReason(r.at)); err != nil {
			return fmt.Errorf("leave out erased people: %w", err)
		}
		w.problems++
	}
	return nil
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i < len(b) {
			i++
		}
		out = append(out, b[:i])
		b = b[i:]
	}
	return out
}

// Rewrite copies the store into a fresh file and puts it in place of the old one, so
// that nothing deleted survives in the file's free blocks: DuckDB reuses freed blocks
// but does not zero them. The copy is checked (every table with as many rows, every
// view, the schema version) before it replaces the old file; the old file's content is
// then overwritten with zeros, and no write-ahead log is left beside it.
func (s *Store) Rewrite(ctx context.Context) error {
	if s.path == "" {
		return nil
	}
	info, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	// A private folder beside the store: same file system (an atomic rename), and the
	// copy is never readable by others, even for a moment.
	tmp, err := os.MkdirTemp(filepath.Dir(s.path), ".padron-rewrite-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fresh := filepath.Join(tmp, "store.duckdb")
	var cur string
	if err := s.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&cur); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `ATTACH `+quoteLiteral(fresh)+` AS padron_rewrite`); err != nil {
		return fmt.Errorf("create the new file: %w", err)
	}
	detached := false
	detach := func() error {
		if detached {
			return nil
		}
		detached = true
		_, err := s.db.ExecContext(context.Background(), `DETACH padron_rewrite`)
		return err
	}
	defer detach()
	if _, err := s.db.ExecContext(ctx, `COPY FROM DATABASE `+sqlIdent(cur)+` TO padron_rewrite`); err != nil {
		return fmt.Errorf("copy the store: %w", err)
	}
	if err := checkCopy(ctx, s.db, cur, "padron_rewrite"); err != nil {
		return fmt.Errorf("check the copy: %w", err)
	}
	if err := detach(); err != nil {
		return fmt.Errorf("close the new file: %w", err)
	}
	if err := syncFile(fresh); err != nil {
		return err
	}
	if err := os.Chmod(fresh, info.Mode().Perm()); err != nil {
		return err
	}
	// Keep a handle on the old file: after the rename it is reachable only through it,
	// and its content is overwritten before it is let go.
	old, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer old.Close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close the store: %w", err)
	}
	reopen := func() error {
		db, err := openDB(ctx, s.path)
		if err != nil {
			return err
		}
		s.db = db
		return nil
	}
	if err := os.Rename(fresh, s.path); err != nil {
		if rerr := reopen(); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	syncDir(filepath.Dir(s.path))
	shred(old)
	// A log beside the store would be replayed into the new file: after the checkpoint
	// and close there is none, and one found is the old file's.
	if wal, err := os.OpenFile(s.path+".wal", os.O_RDWR, 0); err == nil {
		shred(wal)
		wal.Close()
		if err := os.Remove(s.path + ".wal"); err != nil {
			return err
		}
		syncDir(filepath.Dir(s.path))
	}
	return reopen()
}

// openDB opens a store file as Open does, without migrating.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkCopy compares two attached databases: the same tables with the same row
// counts, the same views, and the same constraints.
func checkCopy(ctx context.Context, db *sql.DB, from, to string) error {
	list := func(q, dbname string) ([]string, error) { return queryList[string](ctx, db, q, dbname) }
	for _, q := range []string{
		`SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = ? AND NOT temporary ORDER BY 1`,
		`SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal AND NOT temporary ORDER BY 1`,
		`SELECT table_name || ':' || constraint_type || ':' || array_to_string(constraint_column_names, ',')
			FROM duckdb_constraints() WHERE database_name = ? ORDER BY 1`,
		`SELECT table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, '')
			FROM duckdb_columns() WHERE database_name = ? ORDER BY 1`,
	} {
		a, err := list(q, from)
		if err != nil {
			return err
		}
		b, err := list(q, to)
		if err != nil {
			return err
		}
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			return fmt.Errorf("the copy differs from the store: %v / %v", a, b)
		}
	}
	tables, err := list(`SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' AND NOT temporary`, from)
	if err != nil {
		return err
	}
	for _, t := range tables {
		var a, b int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+sqlIdent(from)+`.main.`+sqlIdent(t)).Scan(&a); err != nil {
			return err
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+sqlIdent(to)+`.main.`+sqlIdent(t)).Scan(&b); err != nil {
			return err
		}
		if a != b {
			return fmt.Errorf("table %s: %d rows copied of %d", t, b, a)
		}
	}
	var va, vb int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT max(version) FROM `+sqlIdent(from)+`.main.schema_meta),
		(SELECT max(version) FROM `+sqlIdent(to)+`.main.schema_meta)`).Scan(&va, &vb); err != nil {
		return err
	}
	if va != vb {
		return fmt.Errorf("schema version %d copied as %d", va, vb)
	}
	return nil
}

func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// shred overwrites an open file's content with zeros and flushes it. It is best
// effort: a copy-on-write file system or an SSD may keep the old blocks elsewhere.
func shred(f *os.File) {
	st, err := f.Stat()
	if err != nil {
		return
	}
	zero := make([]byte, 1<<20)
	for off := int64(0); off < st.Size(); off += int64(len(zero)) {
		n := int64(len(zero))
		if st.Size()-off < n {
			n = st.Size() - off
		}
		if _, err := f.WriteAt(zero[:n], off); err != nil {
			return
		}
	}
	_ = f.Sync()
}
