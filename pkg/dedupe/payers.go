package dedupe

import (
	"context"
	"math"
	"sort"

	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/store"
)

// payerRun is the bank side of a dedupe run: statement transactions are not
// contacts; the credits counted as donations are attributed to the people the
// contacts form, after clustering.
type payerRun struct {
	statement map[int64]bool // every statement transaction's record
	payers    []store.Payer
}

// refreshExclusions applies the exclusion rules in force (padron.yaml may have
// changed since the import) and returns how many transactions changed.
func refreshExclusions(ctx context.Context, st *store.Store, user []money.Rule) (int, error) {
	own, err := st.OwnAccounts(ctx)
	if err != nil {
		return 0, err
	}
	rules := money.Rules{User: user, Own: own}
	changed := map[int64]string{}
	err = st.TransactionsForRules(ctx, func(t store.TxForRules) error {
		ex := rules.Exclude(money.Tx{Kind: t.Kind, Cents: 1, Account: t.Account, TypeCode: t.TypeCode,
			CounterpartyName: t.CounterpartyName, CounterpartyIBAN: t.CounterpartyIBAN, Title: t.Title})
		// Reversals and zero amounts are facts of the import, not of the rules.
		if t.Excluded == money.RuleReversal || t.Excluded == money.RuleZero {
			return nil
		}
		if ex != t.Excluded {
			changed[t.RecordID] = ex
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(changed), st.SetExclusions(ctx, changed)
}

func loadPayers(ctx context.Context, st *store.Store, user []money.Rule) (*payerRun, int, error) {
	n, err := refreshExclusions(ctx, st, user)
	if err != nil {
		return nil, 0, err
	}
	stmt, err := st.StatementRecords(ctx)
	if err != nil {
		return nil, 0, err
	}
	pr := &payerRun{statement: stmt}
	if len(stmt) > 0 {
		if pr.payers, err = st.Payers(ctx); err != nil {
			return nil, 0, err
		}
	}
	return pr, n, nil
}

// AttributionStats counts payers by how they were attributed.
type AttributionStats struct {
	Payers   int            `json:"payers"`
	ByMethod map[string]int `json:"by_method"`
	Review   int            `json:"review"`
	Prior    float64        `json:"known_share"`
	// ExclusionsChanged counts transactions whose exclusion the current rules changed.
	ExclusionsChanged int `json:"exclusions_changed,omitempty"`
}

// attribute ties the payers to people and appends them to the run's records: ids,
// earlier persons, clusters and scores grow by one entry per payer. It returns the
// attributions by payer (cluster numbers, to be turned into person ids) and the
// review pairs it found.
func (pr *payerRun) attribute(ctx context.Context, st *store.Store, recs []match.Record, ids []int64, res *match.Result,
	nick *match.Nicknames, auto, review float64) (*match.AttributeResult, error) {
	keys, err := st.ContactKeys(ctx)
	if err != nil {
		return nil, err
	}
	var ibans, extIDs []string
	if len(keys) > 0 {
		ibans, extIDs = make([]string, len(recs)), make([]string, len(recs))
		for _, k := range keys {
			i := sort.Search(len(ids), func(i int) bool { return ids[i] >= k.ID })
			if i < len(ids) && ids[i] == k.ID {
				ibans[i], extIDs[i] = money.Account(k.IBAN), k.ExternalID
			}
		}
	}
	payers := make([]match.Payer, len(pr.payers))
	for i, p := range pr.payers {
		payers[i] = match.Payer{Record: toMatch(p.MatchRecord), Name: p.Name, IBAN: money.Account(p.IBAN), Title: p.Title}
	}
	return match.Attribute(ctx, recs, res.Cluster, res.People, payers, match.AttributeOptions{Auto: auto, Review: review,
		Model: res.Model, TF: res.TF, Nicknames: nick, ContactIBAN: ibans, ContactID: extIDs})
}

// reviewWeight is the match weight in bits of a probability, for the review queue.
func reviewWeight(p float64) float64 {
	p = math.Min(math.Max(p, 1e-9), 1-1e-9)
	return math.Log2(p / (1 - p))
}

// decisionPairs turns the decisions about contact records into must- and cannot-link
// pairs of record indexes (ids is sorted).
func decisionPairs(ds []store.Decision, ids []int64) (must, cannot [][2]int) {
	for _, d := range ds {
		a, okA := indexOf(ids, d.A)
		b, okB := indexOf(ids, d.B)
		if !okA || !okB {
			continue // a payer's, or a record since removed
		}
		if d.Decision == store.Same {
			must = append(must, [2]int{a, b})
		} else {
			cannot = append(cannot, [2]int{a, b})
		}
	}
	return must, cannot
}

func indexOf(ids []int64, id int64) (int, bool) {
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	return i, i < len(ids) && ids[i] == id
}

// obeyPayerDecisions applies decisions about bank payers after attribution: a payer
// decided the same as a record joins its person; a payer decided different from a
// record it was attributed with becomes a person of its own. ids holds the contacts
// (sorted) and then the payers, cluster their people; it returns the people count.
func obeyPayerDecisions(ds []store.Decision, ids []int64, cluster []int32, people int, attr *match.AttributeResult) int {
	n := len(ids) - len(attr.Payers)
	pos := make(map[int64]int, len(attr.Payers))
	for i := n; i < len(ids); i++ {
		pos[ids[i]] = i
	}
	find := func(id int64) (int, bool) {
		if i, ok := indexOf(ids[:n], id); ok {
			return i, true
		}
		i, ok := pos[id]
		return i, ok
	}
	for _, d := range ds {
		pa, aIsPayer := pos[d.A]
		pb, bIsPayer := pos[d.B]
		if !aIsPayer && !bIsPayer {
			continue
		}
		payer, other := pa, d.B
		if !aIsPayer {
			payer, other = pb, d.A
		}
		o, ok := find(other)
		if !ok {
			continue
		}
		a := &attr.Payers[payer-n]
		switch {
		case d.Decision == store.Same:
			cluster[payer] = cluster[o]
			a.Cluster, a.Method, a.Score, a.Candidate = cluster[o], ByDecision, 1, -1
		case cluster[payer] == cluster[o]:
			cluster[payer] = int32(people)
			a.Cluster, a.Method, a.Score, a.Candidate = int32(people), match.ByNone, 1, -1
			people++
		}
	}
	return people
}

// ByDecision marks a payer a steward decided.
const ByDecision = "decision"
