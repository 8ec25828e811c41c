package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version 13: rights and consent.
//
// consent holds the consent and opt-out facts stated by hand ('padron optout',
// 'padron optin'). Facts from imported records (their opt_out, consent,
// opt_out_reason and opt_out_date fields) and from mailing tools (pulled_suppressions)
// are not copied into it: the consent_facts view derives them at read time, so an
// undone import takes its facts with it and imports stay as they are.
//
// erased keeps, for each person erased under the right to erasure, only salted hashes
// of their emails, phones and bank transactions' keys, so that a later import or push
// of the same person is recognised and refused; erasure_salt is the store's own random
// salt. transactions.anonymized marks a donation whose personal fields were removed
// (its amount, currency, date and kind stay, so totals still add up).
//
// suppressions now also lists emails opted out by hand.
const schemaV13 = `
INSERT INTO counters VALUES ('consent', 0);
CREATE TABLE consent (
	id           BIGINT PRIMARY KEY,
	channel      VARCHAR NOT NULL,   -- email, phone, post
	subject_kind VARCHAR NOT NULL,   -- email, phone or person
	subject      VARCHAR NOT NULL,   -- the canonical email, the E.164 phone, or the person id
	person_id    BIGINT,             -- the person when it was recorded
	status       VARCHAR NOT NULL,   -- opt_in, opt_out
	source       VARCHAR NOT NULL,   -- manual
	recorded_at  TIMESTAMP NOT NULL,
	text         VARCHAR,            -- consent wording or version; the reason of an opt-out
	actor        VARCHAR
);
CREATE TABLE erasure_salt (salt VARCHAR NOT NULL);
CREATE TABLE erased (
	hash      VARCHAR NOT NULL,      -- hex SHA-256 of the salt and the canonical value
	kind      VARCHAR NOT NULL,      -- email, phone, transaction
	erased_at TIMESTAMP NOT NULL,
	event_id  BIGINT
);
ALTER TABLE transactions ADD COLUMN anonymized TIMESTAMP;
CREATE OR REPLACE VIEW suppressions AS
	SELECT unnest(emails) AS email, 'email' AS channel, coalesce(opt_out_reason, 'opted out') AS reason,
		opt_out_date AS since, source, source_file, record_no, batch_id, id AS record_id
	FROM records WHERE opt_out
	UNION ALL
	SELECT email, 'email', reason, CAST(since AS DATE), service, NULL, NULL, NULL, NULL FROM pulled_suppressions
	UNION ALL
	SELECT c.subject, 'email', coalesce(c.text, 'opted out'), CAST(c.recorded_at AS DATE), 'manual', NULL, NULL, NULL, NULL
	FROM consent c WHERE c.channel = 'email' AND c.subject_kind = 'email' AND c.status = 'opt_out'
		AND NOT EXISTS (SELECT 1 FROM consent l WHERE l.channel = c.channel AND l.subject_kind = c.subject_kind
			AND l.subject = c.subject AND l.id > c.id);
CREATE VIEW consent_facts AS
	SELECT 'email' AS channel, 'record' AS subject_kind, r.source_file || ':' || r.record_no AS subject,
		CASE WHEN r.opt_out THEN 'opt_out' WHEN r.consent THEN 'opt_in' ELSE 'opt_out' END AS status,
		r.source_file || ':' || r.record_no AS source,
		coalesce(CAST(r.opt_out_date AS TIMESTAMP), b.imported_at) AS recorded_at,
		CASE WHEN r.opt_out THEN r.opt_out_reason WHEN r.consent THEN NULL ELSE 'no consent' END AS text,
		b.actor AS actor, r.id AS record_id, CAST(NULL AS BIGINT) AS consent_id
	FROM records r JOIN batches b ON b.id = r.batch_id
	WHERE coalesce(r.opt_out, false) OR r.consent IS NOT NULL
	UNION ALL
	SELECT 'email', 'email', email, 'opt_out', service || ' pull', coalesce(since, pulled_at),
		reason || coalesce(': ' || detail, ''), NULL, NULL, NULL
	FROM pulled_suppressions
	UNION ALL
	SELECT channel, subject_kind, subject, status, source, recorded_at, text, actor, NULL, id FROM consent;
`

// Consent channels and statuses.
const (
	ChannelEmail = "email"
	ChannelPhone = "phone"
	ChannelPost  = "post"
	OptIn        = "opt_in"
	OptOut       = "opt_out"
)

// ConsentFact is one consent or opt-out fact about a person's email, phone or post.
type ConsentFact struct {
	ID          int64     `json:"id,omitempty"` // a manual fact's id; 0 for derived facts
	Channel     string    `json:"channel"`
	SubjectKind string    `json:"subject_kind"` // email, phone, person, or record (from an import)
	Subject     string    `json:"subject"`
	Status      string    `json:"status"`
	Source      string    `json:"source"` // FILE:RECORD_NO, "mailchimp pull", or manual
	RecordedAt  time.Time `json:"recorded_at"`
	Text        string    `json:"text,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	PersonID    int64     `json:"-"`
}

// RecordConsent stores facts stated by hand, in one transaction, brings every
// person's opted_out up to date (a manual email opt-out joins the suppressions) and
// logs a "consent" event without the values.
func (s *Store) RecordConsent(ctx context.Context, facts []ConsentFact, actor string) error {
	if len(facts) == 0 {
		return nil
	}
	for _, f := range facts {
		switch {
		case f.Channel != ChannelEmail && f.Channel != ChannelPhone && f.Channel != ChannelPost:
			return fmt.Errorf("consent channel %q: want email, phone or post", f.Channel)
		case f.Status != OptIn && f.Status != OptOut:
			return fmt.Errorf("consent status %q: want opt_in or opt_out", f.Status)
		case f.Subject == "":
			return errors.New("consent fact without a subject")
		}
	}
	return s.withTx(ctx, func(conn *sql.Conn) error {
		first, err := nextCounter(ctx, conn, "consent", int64(len(facts)))
		if err != nil {
			return err
		}
		first -= int64(len(facts)) - 1
		now := time.Now().UTC()
		channels := map[string]int{}
		for i, f := range facts {
			at := f.RecordedAt
			if at.IsZero() {
				at = now
			}
			var person any
			if f.PersonID != 0 {
				person = f.PersonID
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO consent VALUES (?, ?, ?, ?, ?, ?, 'manual', ?, ?, ?)`,
				first+int64(i), f.Channel, f.SubjectKind, f.Subject, person, f.Status, at.UTC(), nullStr(f.Text),
				nullStr(actor)); err != nil {
				return fmt.Errorf("record consent: %w", err)
			}
			channels[f.Channel]++
		}
		if err := refreshOptOuts(ctx, conn); err != nil {
			return err
		}
		return logEvent(ctx, conn, actor, "consent", 0, map[string]any{"status": facts[0].Status,
			"facts": len(facts), "channels": channels, "first": first})
	})
}

// ConsentFacts returns a person's consent facts, oldest first: those of their records,
// those pulled from mailing tools for their emails, and those stated by hand about
// their emails, phones or the person.
func (s *Store) ConsentFacts(ctx context.Context, person int64) ([]ConsentFact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(consent_id, 0), channel, subject_kind, subject, status, source,
		recorded_at, coalesce(text, ''), coalesce(actor, '') FROM consent_facts f
		WHERE f.record_id IN (SELECT record_id FROM links WHERE person_id = ?)
		OR (f.subject_kind = 'email' AND lower(f.subject) IN (SELECT lower(unnest(emails)) FROM people WHERE id = ?))
		OR (f.subject_kind = 'phone' AND f.subject IN (SELECT unnest(phones) FROM people WHERE id = ?))
		OR (f.subject_kind = 'person' AND f.subject = ?)
		ORDER BY recorded_at, coalesce(consent_id, 0), subject`, person, person, person, strconv.FormatInt(person, 10))
	if err != nil {
		return nil, fmt.Errorf("consent facts: %w", err)
	}
	defer rows.Close()
	var out []ConsentFact
	for rows.Next() {
		var f ConsentFact
		if err := rows.Scan(&f.ID, &f.Channel, &f.SubjectKind, &f.Subject, &f.Status, &f.Source, &f.RecordedAt,
			&f.Text, &f.Actor); err != nil {
			return nil, err
		}
		f.RecordedAt = f.RecordedAt.UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// PeopleWithEmail returns the people having this email (compared lower-case), and the
// records carrying it that no dedupe has placed yet.
func (s *Store) PeopleWithEmail(ctx context.Context, email string) (people, unplaced []int64, err error) {
	return s.peopleWith(ctx, `list_contains(list_transform(r.emails, x -> lower(x)), lower(?))`, email)
}

// PeopleWithPhone returns the people having this phone number (E.164, or its digits),
// and the records carrying it that no dedupe has placed yet.
func (s *Store) PeopleWithPhone(ctx context.Context, phone string) (people, unplaced []int64, err error) {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if digits == "" {
		return nil, nil, fmt.Errorf("%q has no digits: not a phone number", phone)
	}
	return s.peopleWith(ctx, `list_contains(list_transform(r.phones, x -> regexp_replace(x, '[^0-9]', '', 'g')), ?)`, digits)
}

func (s *Store) peopleWith(ctx context.Context, cond, arg string) (people, unplaced []int64, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT r.id, coalesce(l.person_id, 0) FROM records r
		LEFT JOIN links l ON l.record_id = r.id WHERE `+cond+` ORDER BY 2, 1`, arg)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var rec, p int64
		if err := rows.Scan(&rec, &p); err != nil {
			return nil, nil, err
		}
		switch {
		case p == 0:
			unplaced = append(unplaced, rec)
		case !seen[p]:
			seen[p] = true
			people = append(people, p)
		}
	}
	return people, unplaced, rows.Err()
}

// PersonPush is one push a person was part of.
type PersonPush struct {
	Push    int64     `json:"push"`
	Service string    `json:"service"`
	List    string    `json:"list"`
	Segment string    `json:"segment"`
	Email   string    `json:"email"`
	Status  string    `json:"status"`
	SentAt  time.Time `json:"sent_at"`
}

// PersonPushes lists what was pushed about a person (by person id, or to one of their
// emails), oldest first.
func (s *Store) PersonPushes(ctx context.Context, person int64) ([]PersonPush, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.service, p.list, p.segment, m.email, m.status, m.sent_at
		FROM push_members m JOIN pushes p ON p.id = m.push_id
		WHERE m.person_id = ? OR lower(m.email) IN (SELECT lower(unnest(emails)) FROM people WHERE id = ?)
		ORDER BY m.sent_at, p.id`, person, person)
	if err != nil {
		return nil, fmt.Errorf("pushes: %w", err)
	}
	defer rows.Close()
	var out []PersonPush
	for rows.Next() {
		var p PersonPush
		if err := rows.Scan(&p.Push, &p.Service, &p.List, &p.Segment, &p.Email, &p.Status, &p.SentAt); err != nil {
			return nil, err
		}
		p.SentAt = p.SentAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PersonDecision is a steward's decision about one of a person's records.
type PersonDecision struct {
	ID       int64     `json:"id"`
	RecordA  string    `json:"record_a"`
	RecordB  string    `json:"record_b"`
	Decision string    `json:"decision"`
	MadeAt   time.Time `json:"made_at"`
	Actor    string    `json:"actor,omitempty"`
	Source   string    `json:"source"`
	Event    int64     `json:"log_entry"`
	Revoked  bool      `json:"revoked"`
}

// PersonDecisions lists the decisions about a person's records, oldest first.
func (s *Store) PersonDecisions(ctx context.Context, person int64) ([]PersonDecision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, coalesce(ra.source_file || ':' || ra.record_no, '#' || d.record_a),
		coalesce(rb.source_file || ':' || rb.record_no, '#' || d.record_b), d.decision, d.made_at, coalesce(d.actor, ''),
		d.source, d.event_id, d.revoked
		FROM decisions d LEFT JOIN records ra ON ra.id = d.record_a LEFT JOIN records rb ON rb.id = d.record_b
		WHERE d.record_a IN (SELECT record_id FROM links WHERE person_id = ?)
			OR d.record_b IN (SELECT record_id FROM links WHERE person_id = ?)
		ORDER BY d.id`, person, person)
	if err != nil {
		return nil, fmt.Errorf("decisions: %w", err)
	}
	defer rows.Close()
	var out []PersonDecision
	for rows.Next() {
		var d PersonDecision
		if err := rows.Scan(&d.ID, &d.RecordA, &d.RecordB, &d.Decision, &d.MadeAt, &d.Actor, &d.Source, &d.Event,
			&d.Revoked); err != nil {
			return nil, err
		}
		d.MadeAt = d.MadeAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
