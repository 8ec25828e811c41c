package match

import "strings"

// markShared flags each email and phone that records with different first names
// use: a family's address or landline. Sharing one is then weighed as its own level,
// far weaker than a personal address, and lets the review queue, not the matcher,
// decide which of the family a record without a name belongs to.
// Shared holds what records of different people are seen to share: household emails
// and phones, and "namesake homes": a name at an address (email, phone or street)
// that records with birth dates years apart carry, a parent and child of one name.
type Shared struct {
	Emails, Phones, Homes map[string]bool
}

func markShared(fs []feat, cmp *comparer, nick *Nicknames) Shared {
	emails := sharedValues(fs, cmp, func(f *feat) []string { return f.emails })
	for i := range fs {
		for _, e := range fs[i].emails {
			if familyMailbox(e) {
				emails[e] = true
			}
		}
	}
	phones := sharedValues(fs, cmp, func(f *feat) []string { return f.phones })
	sh := Shared{Emails: emails, Phones: phones, Homes: namesakeHomes(fs, nick)}
	applyShared(fs, sh, nick)
	return sh
}

// homeKeys returns a record's name-at-address keys.
func homeKeys(f *feat, nick *Nicknames) []string {
	if f.given1 == "" || f.famFirst == "" {
		return nil
	}
	name := nick.Canon(f.given1)[0] + "|" + f.famFirst + "|"
	var keys []string
	for _, e := range f.emails {
		keys = append(keys, name+e)
	}
	for _, p := range f.phones {
		keys = append(keys, name+p)
	}
	if f.street != "" {
		keys = append(keys, name+f.street+"|"+f.post)
	}
	return keys
}

// namesakeHomes returns the name-at-address keys carried by records whose birth
// dates are more than ten years and two typos apart.
func namesakeHomes(fs []feat, nick *Nicknames) map[string]bool {
	dobs := map[string][]int{}
	for i := range fs {
		if fs[i].dob == 0 {
			continue
		}
		for _, k := range homeKeys(&fs[i], nick) {
			dobs[k] = append(dobs[k], i)
		}
	}
	out := map[string]bool{}
	for k, rs := range dobs {
	check:
		for x := 0; x < len(rs); x++ {
			for y := x + 1; y < len(rs); y++ {
				if dob(&fs[rs[x]], &fs[rs[y]]) == dobDifferent {
					out[k] = true
					break check
				}
			}
		}
	}
	return out
}

func applyShared(fs []feat, sh Shared, nick *Nicknames) {
	emails, phones := sh.Emails, sh.Phones
	for i := range fs {
		f := &fs[i]
		f.homonym = false
		if len(sh.Homes) > 0 {
			for _, k := range homeKeys(f, nick) {
				if sh.Homes[k] {
					f.homonym = true
					break
				}
			}
		}
		f.emailShared, f.phoneShared = 0, 0
		for k, e := range f.emails {
			if k < 64 && emails[e] {
				f.emailShared |= 1 << k
			}
		}
		for k, p := range f.phones {
			if k < 64 && phones[p] {
				f.phoneShared |= 1 << k
			}
		}
	}
}

// sharedValues returns the values carried by records whose first names differ
// outright (the comparison's "different" level, not a typo or a nickname).
func sharedValues(fs []feat, cmp *comparer, values func(*feat) []string) map[string]bool {
	first := map[string]int32{} // value → first record with a first name
	out := map[string]bool{}
	var names map[string][]int32 // value → records with first names, when 2+
	for i := range fs {
		if fs[i].given1 == "" {
			continue
		}
		for _, v := range values(&fs[i]) {
			if j, ok := first[v]; ok {
				if names == nil {
					names = map[string][]int32{}
				}
				if names[v] == nil {
					names[v] = []int32{j}
				}
				names[v] = append(names[v], int32(i))
			} else {
				first[v] = int32(i)
			}
		}
	}
	for v, rs := range names {
		if len(rs) > 50 {
			out[v] = true // an office switchboard or a shared inbox
			continue
		}
	check:
		for x := 0; x < len(rs); x++ {
			for y := x + 1; y < len(rs); y++ {
				a, b := &fs[rs[x]], &fs[rs[y]]
				if clearlyDifferent(cmp, a, b) {
					out[v] = true
					break check
				}
			}
		}
	}
	return out
}

// clearlyDifferent reports first names that no typo explains: the "different" level,
// in either order, and not one edit apart (Ana/Aja).
func clearlyDifferent(cmp *comparer, a, b *feat) bool {
	return cmp.given(a.given, a.given1, b.given, b.given1) == last(cGiven) &&
		cmp.given(a.given, a.given1, b.family, firstTok(b.family)) == last(cGiven) &&
		!editAtMost1(a.given1, b.given1) && jaroWinkler(a.given1, b.given1) < 0.75
}

// familyWords start the user names families give a shared mailbox
// (familia.garcia@, rodzina.nowak@, thesmiths@).
var familyWords = []string{"familia", "family", "famille", "famiglia", "familie", "rodzina", "dom.", "casa.",
	"home.", "the"}

// familyMailbox reports an address named as a household's, shared even when only
// one of the family appears with it.
func familyMailbox(e string) bool {
	for _, w := range familyWords {
		if strings.HasPrefix(e, w) && len(e) > len(w)+3 && (w != "the" || !isVowel(e[3])) {
			return true
		}
	}
	return false
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }
