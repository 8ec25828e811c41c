package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

// Donations of the test store, by person:
//
//	Ana    EUR 100.10 2024-03-05, EUR 50.05 2025-02-10 (two rows of one person)
//	Jan    PLN 200.00 2024-06-01, PLN 0.01 2025-07-15, PLN 99.99 2025-09-09
//	Pedro  EUR 75.33 2025-05-20, EUR 20.00 2025-08-01 (new in 2025)
//	María  EUR 10.00 2023-01-10 (SYBUNT as of 2025)
//	Ola    PLN 30.00 2024-11-11 (LYBUNT as of 2025)
const donationsCSV = "Nombre,Apellido,Email,Importe,Moneda,Fecha\n" +
	"Ana,García,ana@example.org,100.10,EUR,2024-03-05\n" +
	"Jan,Kowalski,jan@example.org,200.00,PLN,2024-06-01\n" +
	"Pedro,Ruiz,pedro@example.org,75.33,EUR,2025-05-20\n" +
	"Ana,García,ana@example.org,50.05,EUR,2025-02-10\n" +
	"María,López,maria@example.org,10.00,EUR,2023-01-10\n" +
	"Jan,Kowalski,jan@example.org,0.01,PLN,2025-07-15\n" +
	"Ola,Nowak,ola@example.org,30.00,PLN,2024-11-11\n" +
	"Pedro,Ruiz,pedro@example.org,20.00,EUR,2025-08-01\n" +
	"Jan,Kowalski,jan@example.org,99.99,PLN,2025-09-09\n"

const contactsCSV = "Nombre,Apellido,Email,Teléfono,Ciudad\n" +
	"Ana,García,ana@example.org,+34 612 345 678,Salta\n" +
	"Zoe,Smith,zoe@example.org,,\n"

// testStore imports the two lists into a new store and dedupes it.
func testStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := mapping.NewLibrary(mappings.FS)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"donations.csv": donationsCSV, "contacts.csv": contactsCSV} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if res := ingest.File(ctx, st, p, ingest.Options{Library: lib}); res.Err != nil {
			t.Fatalf("import %s: %v", name, res.Err)
		}
	}
	if _, err := dedupe.Run(ctx, st, dedupe.Options{Actor: "tester"}); err != nil {
		t.Fatal(err)
	}
	return st
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// directSums sums the donations of the period per currency straight from transactions.
func directSums(t *testing.T, st *store.Store, from, to string) map[string]string {
	t.Helper()
	rows, err := st.DB().Query(`SELECT currency, sum(amount)::VARCHAR FROM transactions
		WHERE kind = 'credit' AND excluded IS NULL AND coalesce(booking_date, value_date) BETWEEN ? AND ?
		GROUP BY currency`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, s string
		if err := rows.Scan(&c, &s); err != nil {
			t.Fatal(err)
		}
		out[c] = Decimal(s)
	}
	return out
}

func TestBoard(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	r, err := Board(ctx, st, Options{From: date("2025-01-01"), To: date("2025-12-31"), AsOf: date("2025-12-31")})
	if err != nil {
		t.Fatal(err)
	}

	wantTotals := []CurrencyTotal{
		{Currency: "EUR", Count: 3, Total: "145.38", Donors: 2, Average: "48.46", Median: "50.05"},
		{Currency: "PLN", Count: 2, Total: "100.00", Donors: 1, Average: "50.00", Median: "50.00"},
	}
	if !reflect.DeepEqual(r.Donations.Totals, wantTotals) {
		t.Errorf("totals:\n got %+v\nwant %+v", r.Donations.Totals, wantTotals)
	}
	direct := directSums(t, st, "2025-01-01", "2025-12-31")
	if len(direct) != len(r.Donations.Totals) {
		t.Errorf("direct sums %v, report %+v", direct, r.Donations.Totals)
	}
	for _, c := range r.Donations.Totals {
		if direct[c.Currency] != c.Total {
			t.Errorf("%s: report total %s, SUM over transactions %s", c.Currency, c.Total, direct[c.Currency])
		}
	}
	wantYears := []PeriodTotal{{"2025", "EUR", 3, "145.38"}, {"2025", "PLN", 2, "100.00"}}
	if !reflect.DeepEqual(r.Donations.ByYear, wantYears) {
		t.Errorf("by year: %+v", r.Donations.ByYear)
	}
	if len(r.Donations.ByMonth) != 5 || r.Donations.ByMonth[0] != (PeriodTotal{"2025-02", "EUR", 1, "50.05"}) {
		t.Errorf("by month: %+v", r.Donations.ByMonth)
	}
	d := r.Donations
	if d.Donors != 3 || d.NewDonors != 1 || d.ReturningDonors != 2 || d.Unattributed != 0 {
		t.Errorf("donors %d, new %d, returning %d, unattributed %d; want 3, 1, 2, 0", d.Donors, d.NewDonors,
			d.ReturningDonors, d.Unattributed)
	}
	if want := (Retention{Year: 2025, PreviousYear: 3, Retained: 2, Percent: "66.7"}); d.Retention != want {
		t.Errorf("retention %+v, want %+v", d.Retention, want)
	}
	if want := (Segment{People: 1, Amounts: []MoneyAmount{{"PLN", "30.00"}}}); !reflect.DeepEqual(d.LYBUNT, want) {
		t.Errorf("lybunt %+v", d.LYBUNT)
	}
	if want := (Segment{People: 1, Amounts: []MoneyAmount{{"EUR", "10.00"}}}); !reflect.DeepEqual(d.SYBUNT, want) {
		t.Errorf("sybunt %+v", d.SYBUNT)
	}
	if len(d.Top) != 3 || d.Top[0].Name != "Pedro Ruiz" || d.Top[0].Total != "95.33" || d.Top[1].Total != "50.05" ||
		d.Top[2].Currency != "PLN" || d.Top[2].Total != "100.00" {
		t.Errorf("top: %+v", d.Top)
	}

	// People: Ana is in both lists; six people in all.
	p := r.People
	if p.Total != 6 || p.Overlap != (Overlap{In1: 5, In2: 1}) {
		t.Errorf("people %d, overlap %+v", p.Total, p.Overlap)
	}
	if want := []SourceCount{{"contacts.csv", 2}, {"donations.csv", 5}}; !reflect.DeepEqual(p.BySource, want) {
		t.Errorf("by source %+v", p.BySource)
	}
	dup := r.Duplicates
	if dup.Records != 11 || dup.LinkedRecords != 11 || dup.DuplicatesGone != 5 || dup.MergedPeople != 3 {
		t.Errorf("duplicates %+v", dup)
	}
	if q := r.Quality; q.WithEmail != (Share{6, 6, "100.0"}) || q.WithPhone.Count != 1 || q.WithPhone.Percent != "16.7" {
		t.Errorf("quality %+v", q)
	}

	// One currency only.
	eur, err := Board(ctx, st, Options{From: date("2025-01-01"), To: date("2025-12-31"), AsOf: date("2025-12-31"), Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if len(eur.Donations.Totals) != 1 || eur.Donations.Totals[0] != wantTotals[0] || eur.Donations.Donors != 2 ||
		eur.Donations.NewDonors != 1 || eur.Donations.Retention.PreviousYear != 1 {
		t.Errorf("EUR only: %+v", eur.Donations)
	}

	// All time: every donation, and everyone is new.
	all, err := Board(ctx, st, Options{AsOf: date("2025-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	wantAll := []CurrencyTotal{
		{Currency: "EUR", Count: 5, Total: "255.48", Donors: 3, Average: "51.10", Median: "50.05"},
		{Currency: "PLN", Count: 4, Total: "330.00", Donors: 2, Average: "82.50", Median: "64.995"},
	}
	if !reflect.DeepEqual(all.Donations.Totals, wantAll) {
		t.Errorf("all time:\n got %+v\nwant %+v", all.Donations.Totals, wantAll)
	}
	if all.Donations.NewDonors != 5 || all.Donations.ReturningDonors != 0 {
		t.Errorf("all time: new %d returning %d", all.Donations.NewDonors, all.Donations.ReturningDonors)
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back BoardReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON does not round-trip:\n%s", js.String())
	}
	var mdb bytes.Buffer
	if err := WriteMarkdown(&mdb, r); err != nil {
		t.Fatal(err)
	}
	md := mdb.String()
	for _, want := range []string{"# Board report", "Period: 2025-01-01 to 2025-12-31",
		"| EUR | 3 | 2 | 145.38 | 48.46 | 50.05 |", "| PLN | 2 | 1 | 100.00 | 50.00 | 50.00 |",
		"Donor retention: 66.7% (2 of 3 donors of 2024 gave again in 2025).", "| 1 | Pedro Ruiz |", "30.00 PLN"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestDecimal(t *testing.T) {
	for in, want := range map[string]string{"12.5000": "12.50", "1.2340": "1.234", "7": "7.00", "-0.0100": "-0.01", "3.1": "3.10"} {
		if got := Decimal(in); got != want {
			t.Errorf("Decimal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBoardBadPeriod(t *testing.T) {
	st := testStore(t)
	if _, err := Board(context.Background(), st, Options{From: date("2025-02-01"), To: date("2025-01-01")}); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
}

func TestBoardRefusesANonCurrency(t *testing.T) {
	st := testStore(t)
	for _, cur := range []string{"EU'R", "euros", "E1R"} {
		if _, err := Board(context.Background(), st, Options{Currency: cur}); err == nil {
			t.Errorf("currency %q was accepted", cur)
		}
	}
	r, err := Board(context.Background(), st, Options{Currency: "eur"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Donations.Totals) != 1 {
		t.Errorf("a lower-case code did not select its currency: %+v", r.Donations.Totals)
	}
}
