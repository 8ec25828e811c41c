package normalize

import "errors"

// Bool parses yes/no cells in English, Spanish, Polish, Portuguese, French, German and
// Italian: "yes", "y", "sí", "s", "tak", "t", "sim", "oui", "ja", "j", "true", "1", "x",
// "✓" are true; "no", "n", "nie", "não", "non", "nein", "false", "0" are false. Case,
// accents and surrounding punctuation ("Yes.") are ignored. Anything else, including an
// empty cell, is an error: opt-out words ("unsubscribed", "baja") are for the caller.
func Bool(s string) (bool, error) {
	v := trim(s)
	if v == "" {
		return false, errors.New("empty yes/no value")
	}
	if b, ok := boolSymbols[v]; ok {
		return b, nil
	}
	var buf [24]byte
	if len(v) <= len(buf) {
		if b, ok := boolWords[string(appendFold(buf[:0], v))]; ok {
			return b, nil
		}
	}
	return false, errors.New("not yes or no: " + quote(v))
}

var boolSymbols = map[string]bool{"✓": true, "✔": true, "☑": true, "✅": true, "✗": false, "✘": false, "☐": false}

var boolWords = map[string]bool{
	"yes": true, "y": true, "true": true, "1": true, "x": true, "on": true,
	"si": true, "s": true, "verdadero": true, "v": true,
	"tak": true, "t": true, "prawda": true,
	"sim": true, "verdadeiro": true,
	"oui": true, "vrai": true,
	"ja": true, "j": true, "wahr": true,
	"vero": true,
	"no":   false, "n": false, "false": false, "0": false, "off": false,
	"falso": false, "f": false,
	"nie": false, "falsz": false,
	"nao": false,
	"non": false, "faux": false,
	"nein": false, "falsch": false,
}
