package store

import (
	"context"
	"errors"
	"testing"
)

func TestSegmentsSaveListDelete(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.SaveSegment(ctx, "b", "has_email", "ana", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSegment(ctx, "a", "has_phone", "", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSegment(ctx, "a", "opted_out", "", false); err == nil {
		t.Error("saved over a segment without replace")
	}
	if err := s.SaveSegment(ctx, "a", "not opted_out", "jan", true); err != nil {
		t.Fatal(err)
	}
	l, err := s.Segments(ctx)
	if err != nil || len(l) != 2 || l[0].Name != "a" || l[0].Expr != "not opted_out" || l[0].Actor != "jan" || l[1].Name != "b" {
		t.Fatalf("segments = %+v, %v", l, err)
	}
	if err := s.DeleteSegment(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Segment(ctx, "a"); !errors.Is(err, ErrNoSegment) {
		t.Errorf("deleted segment: %v", err)
	}
	if err := s.DeleteSegment(ctx, "a"); !errors.Is(err, ErrNoSegment) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestCountWhereLeavesOptedOutApart(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.db.Exec(`INSERT INTO people (id, given_name, email, records, opted_out) VALUES
		(1, 'Ana', 'ana@x.org', 1, false), (2, 'Jan', 'jan@x.org', 1, true), (3, 'Eva', NULL, 1, false)`); err != nil {
		t.Fatal(err)
	}
	where, args := `coalesce(p.email, '') <> ?`, []any{""}
	c, err := s.CountWhere(ctx, where, args, false)
	if err != nil || c.Matched != 1 || c.OptedOut != 1 {
		t.Errorf("count = %+v, %v", c, err)
	}
	c, err = s.CountWhere(ctx, where, args, true)
	if err != nil || c.Matched != 2 || c.OptedOut != 0 {
		t.Errorf("count with opted out = %+v, %v", c, err)
	}
	var ids []int64
	c, err = s.EachPersonWhere(ctx, where, args, false, func(p PersonView) error { ids = append(ids, p.ID); return nil })
	if err != nil || len(ids) != 1 || ids[0] != 1 || c.OptedOut != 1 {
		t.Errorf("people = %v, %+v, %v", ids, c, err)
	}
	ids = nil
	_, err = s.EachPersonWhere(ctx, where, args, true, func(p PersonView) error { ids = append(ids, p.ID); return nil })
	if err != nil || len(ids) != 2 {
		t.Errorf("people with opted out = %v, %v", ids, err)
	}
}
