package synth

// Real registers hold far more surnames than any list: Nowak, the commonest in
// Poland, is borne by about 0.5% of Poles, and the 300 commonest cover well under a
// third of them; García covers about 3% of Spaniards and the commonest few hundred
// Spanish surnames most of the population; Smith about 1% of the English. A list of
// ~280 names per language drawn from alone makes every surname tens of times too
// common, so that strangers share full names far more often than they do, and a
// name says less than it does in life. Surnames are therefore drawn from the list
// (common ones, skewed) or, with the share below, made up from a language's roots
// and endings: rare names, each borne by few.
var tailShare = [numNations]float64{natPL: 0.65, natES: 0.3, natAR: 0.45, natEN: 0.6}

// Roots, middles and endings of made-up surnames per language; a surname is
// root + middle + ending, Polish ones in masculine form (polishGender makes the
// feminine).
var tailParts = [numNations][3][]string{
	natPL: {
		{"Bab", "Bart", "Bed", "Bied", "Bor", "Brzez", "Chmiel", "Cich", "Dąb", "Dęb", "Dob", "Drozd", "Gaw",
			"Głow", "Gol", "Gór", "Grab", "Grzyb", "Jab", "Jag", "Jar", "Jaw", "Kacz", "Kal", "Kieł", "Klim",
			"Kob", "Kos", "Kraw", "Kruk", "Krzyż", "Kul", "Łas", "Lip", "Mal", "Mar", "Mich", "Mik", "Mroz",
			"Nied", "Olsz", "Pał", "Pas", "Piek", "Pol", "Rad", "Rog", "Ros", "Rud", "Sad", "Sob", "Sok",
			"Staw", "Szum", "Trzask", "Wal", "Wierzb", "Wil", "Wrzos", "Zaj", "Zal", "Żur", "Żyw", "Strzał"},
		{"", "", "", "ow", "ew", "in", "an", "ul", "ar", "el", "usz", "ęt"},
		{"ski", "ski", "ski", "ak", "ek", "czyk", "icz", "ik", "ko", "uk", "ny", "iec"},
	},
	natES: {
		{"Alb", "Alc", "Almen", "Arr", "Bald", "Barr", "Bel", "Berm", "Bust", "Cab", "Calz", "Carr", "Cast",
			"Cerr", "Corr", "Cuest", "Esc", "Esp", "Fuent", "Gald", "Garr", "Hin", "Ibarr", "Lar", "Leg", "Mald",
			"Manz", "Mar", "Mend", "Mont", "Mor", "Nav", "Olm", "Ord", "Pad", "Pal", "Pard", "Peñ", "Quin",
			"Rebol", "Riv", "Robl", "Sal", "Sant", "Sarm", "Sot", "Tab", "Tej", "Tol", "Trev", "Urr", "Vald",
			"Vall", "Varg", "Zab", "Zam", "Zuaz", "Ech", "Goic", "Arrib"},
		{"", "", "", "eg", "ar", "av", "ij", "ond"},
		{"ado", "ales", "ano", "ana", "edo", "ero", "era", "illa", "illo", "ino", "ón", "oz", "uela", "ez",
			"ente", "eda", "iel", "ines", "ueta", "ía"},
	},
	natAR: {
		{"Bar", "Bel", "Bon", "Cap", "Car", "Col", "Fer", "Gal", "Lom", "Mar", "Mor", "Pan", "Pel", "Ros",
			"Sal", "Tor", "Val", "Ven", "Zan", "Bert", "Cian", "Del", "Fior", "Grass", "Luc", "Mazz", "Nov",
			"Pag", "Riz", "Sper", "Tag", "Vit"},
		{"", "", "ag", "an", "ell", "or"},
		{"etti", "elli", "ini", "one", "ari", "ucci", "aro", "ese", "otti", "ino", "ano", "oni"},
	},
	natEN: {
		{"Ash", "Black", "Brad", "Brook", "Cal", "Chap", "Cran", "Dal", "Ebb", "Fair", "Fen", "Gold", "Hal",
			"Hart", "Hay", "Kings", "Lang", "Mar", "Mill", "Nor", "Oak", "Pem", "Red", "Rid", "Rush", "Stan",
			"Thorn", "Wal", "Wes", "Whit", "Wood", "Yar", "Bram", "Cot", "Dun", "Fitch"},
		{"", "", "er", "ing", "s", "en"},
		{"ley", "ton", "wood", "field", "ford", "ham", "by", "well", "worth", "more", "ridge", "stone", "bury",
			"combe", "ings", "son"},
	},
}

// tailSpace is the number of distinct made-up surnames of a language.
func tailSpace(n nation) int {
	p := &tailParts[n]
	return len(p[0]) * len(p[1]) * len(p[2])
}

// tailSurname makes up a rare surname of language n. Argentine ones are half
// Spanish, half Italian in form.
func tailSurname(r *rng, n nation) string {
	if n == natAR && r.chance(0.5) {
		n = natES
	}
	p := &tailParts[n]
	return p[0][r.IntN(len(p[0]))] + p[1][r.IntN(len(p[1]))] + p[2][r.IntN(len(p[2]))]
}

// pickSurname draws a surname of language n and its probability: a common one from
// the list (skewed, see surnameSkew) or, with tailShare, a made-up rare one.
func pickSurname(r *rng, t *tables, n nation) (string, float64) {
	if r.chance(tailShare[n]) {
		return tailSurname(r, n), tailShare[n] / float64(tailSpace(n))
	}
	list := t.surnames[n]
	k := r.skewIdx(len(list), surnameSkew)
	return list[k], (1 - tailShare[n]) * skewProb(k, len(list), surnameSkew)
}
