package store

import (
	"context"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestInsertBulk inserts more rows than one chunk holds, NULLs included, and checks
// that a cancelled insert writes nothing and no source is left registered.
func TestInsertBulk(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE bulk_t (a BIGINT, b DOUBLE, c VARCHAR, d BIGINT)`); err != nil {
		t.Fatal(err)
	}
	n := duckdb.GetDataChunkCapacity()*2 + 3
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	cols := []bulkColumn{int64Col("a", ids),
		nullableCol("b", duckdb.TYPE_DOUBLE, func(i int) (float64, bool) { return float64(i) / 2, i%2 == 0 }),
		funcCol("c", duckdb.TYPE_VARCHAR, func(i int) string { return string(rune('a' + i%26)) }),
		constCol("d", 7)}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := insertBulk(ctx, conn, "bulk_t", n, cols...); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := insertBulk(cancelled, conn, "bulk_t", n, cols...); err == nil {
		t.Fatal("cancelled insert succeeded")
	}
	conn.Close() // the store has one connection
	want := "4099 4099 2050 2100225 7"
	wantRows(t, s.db, `SELECT count(*), count(DISTINCT a), count(b), sum(b)::BIGINT, min(d) FROM bulk_t`, want)
	wantRows(t, s.db, `SELECT a, b, c FROM bulk_t WHERE a IN (1, 2, 4099) ORDER BY a`, "1 0 a|2 NULL b|4099 2049 q")
	bulkSources.Range(func(k, _ any) bool {
		t.Errorf("source %v left registered", k)
		return true
	})
}
