package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runReport runs 'padron report ARGS' on db.
func runReport(t *testing.T, db string, jsonFlag bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCommand(t, newReportCmd, db, jsonFlag, args...)
}

func TestReportBoard(t *testing.T) {
	db := segmentStore(t)

	out, errs, err := runReport(t, db, false, "board", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json")
	if err != nil {
		t.Fatalf("report board: %v\n%s", err, errs)
	}
	var r struct {
		Donations struct {
			Totals []struct {
				Currency, Total, Median string
				Count                   int
			} `json:"totals"`
			Donors    int `json:"donors"`
			NewDonors int `json:"new_donors"`
			Retention struct {
				PreviousYear int    `json:"previous_year_donors"`
				Retained     int    `json:"retained"`
				Percent      string `json:"percent"`
			} `json:"retention"`
			LYBUNT struct {
				People int `json:"people"`
			} `json:"lybunt"`
		} `json:"donations"`
		People struct {
			Total int `json:"total"`
		} `json:"people"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	// 2025: Ana 150 and Pedro 200; Jan gave 50 in 2024 only.
	if len(r.Donations.Totals) != 1 || r.Donations.Totals[0].Total != "350.00" || r.Donations.Totals[0].Count != 2 ||
		r.Donations.Totals[0].Median != "175.00" {
		t.Errorf("totals: %+v", r.Donations.Totals)
	}
	if r.Donations.Donors != 2 || r.Donations.NewDonors != 2 || r.People.Total != 4 {
		t.Errorf("donors %d new %d people %d", r.Donations.Donors, r.Donations.NewDonors, r.People.Total)
	}
	if r.Donations.Retention.PreviousYear != 1 || r.Donations.Retention.Retained != 0 || r.Donations.Retention.Percent != "0.0" {
		t.Errorf("retention %+v", r.Donations.Retention)
	}
	if r.Donations.LYBUNT.People != 1 {
		t.Errorf("lybunt %+v", r.Donations.LYBUNT)
	}

	// --json alone means JSON.
	out2, _, err := runReport(t, db, true, "board", "--from", "2025-01-01", "--to", "2025-12-31")
	if err != nil || out2 != out {
		t.Errorf("--json: %v\n%s", err, out2)
	}

	// Markdown to a file.
	file := filepath.Join(t.TempDir(), "board.md")
	_, errs, err = runReport(t, db, false, "board", "--to", "2025-12-31", "--out", file)
	if err != nil {
		t.Fatalf("report board --out: %v\n%s", err, errs)
	}
	md, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "# Board report") || !strings.Contains(string(md), "| 400.00 |") {
		t.Errorf("markdown:\n%s", md)
	}
	if !strings.Contains(errs, "wrote the board report to "+file) {
		t.Errorf("stderr: %q", errs)
	}

	for _, args := range [][]string{
		{"board", "--format", "xlsx"}, // a workbook needs a file
		{"board", "--format", "pdf"},
		{"board", "--from", "2025-13-01"},
		{"board", "--from", "2025-02-01", "--to", "2025-01-01"},
	} {
		_, _, err := runReport(t, db, false, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitUsage {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
	if _, _, err := runReport(t, db, false, "board", "--format", "xlsx"); err == nil || !strings.Contains(err.Error(), "give --out FILE.xlsx") {
		t.Errorf("xlsx: %v", err)
	}
	// HTML goes to standard output like Markdown; the page holds the exact totals.
	out, _, err = runReport(t, db, false, "board", "--format", "html")
	if err != nil || !strings.Contains(out, "<svg") || !strings.Contains(out, "<!DOCTYPE html>") {
		t.Errorf("html: %v %.200q", err, out)
	}
}
