package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Version 12: what was pushed to mailing tools (pushes, push_members) and the
// suppressions pulled back from them (pulled_suppressions), which the suppressions
// view now includes, so that an unsubscribe in Mailchimp opts the person out here.
const schemaV12 = `
INSERT INTO counters VALUES ('push', 0);
CREATE TABLE pushes (
	id          BIGINT PRIMARY KEY,
	service     VARCHAR NOT NULL,   -- mailchimp, brevo, listmonk
	list        VARCHAR NOT NULL,
	segment     VARCHAR NOT NULL,
	started_at  TIMESTAMP NOT NULL,
	finished_at TIMESTAMP,          -- NULL: interrupted
	actor       VARCHAR,
	members     BIGINT NOT NULL,    -- people in the segment with an email
	excluded    BIGINT NOT NULL,    -- suppressed, opted out or erased: never sent
	already     BIGINT NOT NULL,    -- sent before with the same content: skipped
	sent        BIGINT NOT NULL,
	failed      BIGINT NOT NULL
);
-- One row per member sent: what went to which list, when, and how it went. hash is
-- a digest of what was sent, so that a re-run skips what is already there.
CREATE TABLE push_members (
	push_id   BIGINT NOT NULL,
	person_id BIGINT,
	email     VARCHAR NOT NULL,
	hash      VARCHAR NOT NULL,
	status    VARCHAR NOT NULL,     -- created, updated, sent, failed
	error     VARCHAR,
	sent_at   TIMESTAMP NOT NULL
);
CREATE TABLE pulled_suppressions (
	email     VARCHAR NOT NULL,     -- lower-case
	reason    VARCHAR NOT NULL,     -- unsubscribed, cleaned, blocklisted
	detail    VARCHAR,
	since     TIMESTAMP,
	service   VARCHAR NOT NULL,
	list      VARCHAR,
	pulled_at TIMESTAMP NOT NULL
);
CREATE OR REPLACE VIEW suppressions AS
	SELECT unnest(emails) AS email, 'email' AS channel, coalesce(opt_out_reason, 'opted out') AS reason,
		opt_out_date AS since, source, source_file, record_no, batch_id, id AS record_id
	FROM records WHERE opt_out
	UNION ALL
	SELECT email, 'email', reason, CAST(since AS DATE), service, NULL, NULL, NULL, NULL FROM pulled_suppressions;
`

// Push is one push of a segment to a mailing tool's list.
type Push struct {
	ID        int64     `json:"push"`
	Service   string    `json:"service"`
	List      string    `json:"list"`
	Segment   string    `json:"segment"`
	Actor     string    `json:"actor,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Finished  bool      `json:"finished"`
	Members   int64     `json:"members"`  // to send, after everything left out
	Excluded  int64     `json:"excluded"` // opted out or suppressed
	Already   int64     `json:"already"`  // already in the list with the same content
	Sent      int64     `json:"sent"`
	Fail      int64     `json:"failed"`
}

// PushedMember is one member's outcome in a push.
type PushedMember struct {
	PersonID int64
	Email    string
	Hash     string
	Status   string
	Error    string
}

// StartPush records a push before anything is sent and returns its id.
func (s *Store) StartPush(ctx context.Context, p *Push) error {
	return s.withTx(ctx, func(conn *sql.Conn) error {
		id, err := nextCounter(ctx, conn, "push", 1)
		if err != nil {
			return err
		}
		p.ID = id
		_, err = conn.ExecContext(ctx, `INSERT INTO pushes VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 0, 0)`,
			id, p.Service, p.List, p.Segment, p.StartedAt.UTC(), nullStr(p.Actor), p.Members, p.Excluded, p.Already)
		return err
	})
}

// RecordPushed journals one batch's outcomes, in its own transaction, as soon as the
// service has answered: an interrupted push keeps what was done.
func (s *Store) RecordPushed(ctx context.Context, push int64, ms []PushedMember) error {
	if len(ms) == 0 {
		return nil
	}
	now := time.Now().UTC()
	var sent, failed int64
	for _, m := range ms {
		if m.Status == "failed" {
			failed++
		} else {
			sent++
		}
	}
	return s.withTx(ctx, func(conn *sql.Conn) error {
		err := appendRows(ctx, conn, "push_members", len(ms), func(a *duckdb.Appender, i int) error {
			m := ms[i]
			var pid any
			if m.PersonID != 0 {
				pid = m.PersonID
			}
			return a.AppendRow(push, pid, m.Email, m.Hash, m.Status, nullStr(m.Error), now)
		})
		if err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, `UPDATE pushes SET sent = sent + ?, failed = failed + ? WHERE id = ?`, sent, failed, push)
		return err
	})
}

// FinishPush marks a push complete.
func (s *Store) FinishPush(ctx context.Context, push int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE pushes SET finished_at = ? WHERE id = ?`, time.Now().UTC(), push)
	return err
}

// PushedHashes returns, for a service's list, the content hash last sent without
// failure for each email: what a re-run need not send again.
func (s *Store) PushedHashes(ctx context.Context, service, list string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.email, arg_max(m.hash, m.sent_at) FROM push_members m
		JOIN pushes p ON p.id = m.push_id WHERE p.service = ? AND p.list = ? AND m.status <> 'failed'
		GROUP BY m.email`, service, list)
	if err != nil {
		return nil, fmt.Errorf("read pushes: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var e, h string
		if err := rows.Scan(&e, &h); err != nil {
			return nil, err
		}
		out[e] = h
	}
	return out, rows.Err()
}

// Pushes lists the pushes, newest first.
func (s *Store) Pushes(ctx context.Context) ([]Push, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, service, list, segment, started_at, coalesce(actor, ''),
		finished_at IS NOT NULL, members, excluded, already, sent, failed FROM pushes ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Push
	for rows.Next() {
		var p Push
		if err := rows.Scan(&p.ID, &p.Service, &p.List, &p.Segment, &p.StartedAt, &p.Actor, &p.Finished, &p.Members, &p.Excluded,
			&p.Already, &p.Sent, &p.Fail); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PulledSuppression is an opt-out a mailing tool reported.
type PulledSuppression struct {
	Email, Reason, Detail string
	Since                 time.Time
	Service, List         string
}

// AddPulledSuppressions stores the opt-outs a pull brought back (each email, reason
// and service once) and opts the people with those emails out, in one transaction.
// It returns how many were new.
func (s *Store) AddPulledSuppressions(ctx context.Context, actor string, sup []PulledSuppression) (int, error) {
	added := 0
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE new_sup AS SELECT * FROM pulled_suppressions LIMIT 0`); err != nil {
			return err
		}
		now := time.Now().UTC()
		err := appendRows(ctx, conn, "new_sup", len(sup), func(a *duckdb.Appender, i int) error {
			x := sup[i]
			var since any
			if !x.Since.IsZero() {
				since = x.Since.UTC()
			}
			return a.AppendRow(strings.ToLower(strings.TrimSpace(x.Email)), x.Reason, nullStr(x.Detail), since, x.Service,
				nullStr(x.List), now)
		})
		if err != nil {
			return err
		}
		// Each email, reason and service once: what is new is counted, then added.
		const fresh = `FROM (SELECT DISTINCT ON (email, reason, service) * FROM new_sup) n
			WHERE email <> '' AND NOT EXISTS (SELECT 1 FROM pulled_suppressions p
				WHERE p.email = n.email AND p.reason = n.reason AND p.service = n.service)`
		if err := conn.QueryRowContext(ctx, `SELECT count(*) `+fresh).Scan(&added); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO pulled_suppressions SELECT * `+fresh); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `DROP TABLE new_sup`); err != nil {
			return err
		}
		if err := refreshOptOuts(ctx, conn); err != nil {
			return err
		}
		if added == 0 {
			return nil
		}
		return logEvent(ctx, conn, actor, "pull", 0, map[string]any{"service": sup[0].Service, "suppressions": added})
	})
	return added, err
}

// SuppressionList lists every email that must not be written to: opt-outs of any
// record and the suppressions pulled from mailing tools.
func (s *Store) SuppressionList(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT lower(email) FROM suppressions WHERE email IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read suppressions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
