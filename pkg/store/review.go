package store

import "context"

// ReviewItem is one doubtful pair of the review queue, with what makes it worth a
// steward's time.
type ReviewItem struct {
	A           int64   `json:"record_a"`
	B           int64   `json:"record_b"`
	PersonA     int64   `json:"person_a"`
	PersonB     int64   `json:"person_b"`
	Probability float64 `json:"probability"`
	Weight      float64 `json:"weight"`
	Conflict    bool    `json:"conflict"`
	// Donations and Records count the two people's donations and records.
	Donations int `json:"donations"`
	Records   int `json:"records"`
}

// ReviewQueue returns up to limit pending pairs from offset, most valuable first:
// people with donations, then bigger people, then likelier pairs; and how many are
// pending in all. A pair is pending while its records are in two people and no
// decision in force is about them.
func (s *Store) ReviewQueue(ctx context.Context, offset, limit int) ([]ReviewItem, int, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := s.db.QueryContext(ctx, `WITH q AS (
			SELECT p.record_a, p.record_b, la.person_id AS pa, lb.person_id AS pb, p.probability, p.weight, p.conflict
			FROM match_pairs p JOIN links la ON la.record_id = p.record_a JOIN links lb ON lb.record_id = p.record_b
			WHERE la.person_id <> lb.person_id AND NOT EXISTS (SELECT 1 FROM decisions d WHERE NOT d.revoked
				AND d.record_a = least(p.record_a, p.record_b) AND d.record_b = greatest(p.record_a, p.record_b))),
		people AS (SELECT pa AS person_id FROM q UNION SELECT pb FROM q),
		don AS (SELECT l.person_id, count(*) AS n FROM transactions t JOIN links l ON l.record_id = t.record_id
			WHERE t.kind = 'credit' AND t.excluded IS NULL AND l.person_id IN (SELECT person_id FROM people) GROUP BY 1),
		sz AS (SELECT person_id, count(*) AS n FROM links WHERE person_id IN (SELECT person_id FROM people) GROUP BY 1)
		SELECT q.record_a, q.record_b, q.pa, q.pb, q.probability, q.weight, q.conflict,
			coalesce(da.n, 0) + coalesce(db.n, 0) AS donations, coalesce(sa.n, 0) + coalesce(sb.n, 0) AS records,
			count(*) OVER () AS total
		FROM q LEFT JOIN don da ON da.person_id = q.pa LEFT JOIN don db ON db.person_id = q.pb
			LEFT JOIN sz sa ON sa.person_id = q.pa LEFT JOIN sz sb ON sb.person_id = q.pb
		ORDER BY donations DESC, records DESC, q.probability DESC, q.record_a, q.record_b
		LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []ReviewItem
	total := 0
	for rows.Next() {
		var it ReviewItem
		if err := rows.Scan(&it.A, &it.B, &it.PersonA, &it.PersonB, &it.Probability, &it.Weight, &it.Conflict,
			&it.Donations, &it.Records, &total); err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		// Past the end: still say how many there are.
		_, n, err := s.ReviewQueue(ctx, 0, 1)
		return nil, n, err
	}
	return out, total, nil
}
