package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"database/sql/driver"

	"github.com/duckdb/duckdb-go/v2"
)

// The SQL baseline: what a careful analyst would write in DuckDB in ten minutes, run on
// the very records padron imported (its store's records table, opened read-only after
// padron has exited), so both sides see the same parsed names, including the names
// padron split from full-name columns and decoded from every encoding.
//
// Blocking: one key, the first four letters of the family name and the first letter of
// the given name, lower-cased and without accents. Records with no family name are in
// no block and stay alone. Comparison: the Jaro–Winkler similarity of the lower-cased
// "given family" strings, pairs at 0.9 or more kept. Nothing is tuned per data set.
// Clusters: connected components of the kept pairs (union–find in Go).
//
// The four letters plus one keep blocks small enough for a million records (the first
// four letters alone give about ten times more pairs on the generated data, mostly
// inside García, Rodríguez, Nowak...).
const baselineBlocks = `
	SELECT id,
		left(strip_accents(lower(family_name)), 4) || left(strip_accents(lower(coalesce(given_name, ''))), 1) AS bk,
		lower(coalesce(given_name, '') || ' ' || family_name) AS nm
	FROM records
	WHERE coalesce(trim(family_name), '') <> ''`

const baselinePairs = `
	WITH r AS (` + baselineBlocks + `)
	SELECT a.id, b.id FROM r a JOIN r b ON a.bk = b.bk AND a.id < b.id
	WHERE jaro_winkler_similarity(a.nm, b.nm) >= 0.9`

const baselineCandidates = `
	WITH r AS (` + baselineBlocks + `)
	SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM r GROUP BY bk)`

// baselineResult is the baseline's outcome on one store.
type baselineResult struct {
	Metrics
	Candidates int64         // pairs inside the blocks, all compared
	Kept       int64         // pairs at or above the threshold
	Time       time.Duration // the pair query and the union–find
	// Total adds writing the result, one row per record (record id, cluster), into a
	// table of the store: the scope of padron dedupe's own time, which reads the
	// records and writes a link per record and the people.
	Total time.Duration
}

// sqlBaseline runs the baseline on the store at dbPath and scores it against truth.
func sqlBaseline(dbPath string, truth *Truth) (baselineResult, error) {
	var res baselineResult
	ctx := context.Background()
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return res, err
	}
	defer db.Close()

	// Which record of the data set each store row is (not timed: evaluation only).
	index := make(map[int64]int32, truth.Len())
	seen := make([]bool, truth.Len())
	rows, err := db.QueryContext(ctx, `SELECT id, source_file, record_no FROM records`)
	if err != nil {
		return res, fmt.Errorf("baseline: read records: %w", err)
	}
	for rows.Next() {
		var id int64
		var file string
		var no int
		if err := rows.Scan(&id, &file, &no); err != nil {
			rows.Close()
			return res, err
		}
		i, err := truth.Index(file, no)
		if err != nil {
			rows.Close()
			return res, fmt.Errorf("baseline: store record %d: %w", id, err)
		}
		if seen[i] {
			rows.Close()
			return res, fmt.Errorf("baseline: the store has %s twice", truth.Name(i))
		}
		index[id], seen[i] = int32(i), true
	}
	if err := rows.Close(); err != nil {
		return res, err
	}
	if err := db.QueryRowContext(ctx, baselineCandidates).Scan(&res.Candidates); err != nil {
		return res, fmt.Errorf("baseline: count candidates: %w", err)
	}

	start := time.Now()
	uf := newUnionFind(truth.Len())
	rows, err = db.QueryContext(ctx, baselinePairs)
	if err != nil {
		return res, fmt.Errorf("baseline: %w", err)
	}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return res, err
		}
		uf.union(index[a], index[b])
		res.Kept++
	}
	if err := rows.Close(); err != nil {
		return res, fmt.Errorf("baseline: %w", err)
	}
	res.Time = time.Since(start)
	if err := writeBaseline(ctx, db, index, uf); err != nil {
		return res, fmt.Errorf("baseline: write result: %w", err)
	}
	res.Total = time.Since(start)

	p := NewPrediction(truth)
	for i := range truth.Len() {
		if seen[i] {
			if err := p.SetIndex(i, uf.find(int32(i))); err != nil {
				return res, err
			}
		}
	}
	res.Metrics, err = p.Score()
	if err != nil {
		return res, fmt.Errorf("baseline: store against truth: %w", err)
	}
	return res, nil
}

// writeBaseline writes each record's cluster into the table baseline_links, as a
// dedupe must hand its result on: the record id and one record id of its cluster, one
// row per record, through DuckDB's appender.
func writeBaseline(ctx context.Context, db *sql.DB, index map[int64]int32, uf *unionFind) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE baseline_links (record_id BIGINT, cluster BIGINT)`); err != nil {
		return err
	}
	ids := make([]int64, len(uf.parent)) // store id of each data set record
	for id, i := range index {
		ids[i] = id
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "baseline_links")
		if err != nil {
			return err
		}
		for id, i := range index {
			if err := a.AppendRow(id, ids[uf.find(i)]); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

// unionFind is a disjoint-set forest over 0..n-1 with path halving and union by size.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i], u.size[i] = int32(i), 1
	}
	return u
}

func (u *unionFind) find(i int32) int32 {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
}
