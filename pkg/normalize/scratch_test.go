package normalize

import (
	"math/rand"
	"testing"
	"time"
)

func TestScratchHang(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("@.a<>\"'mailto:;,|/ xn--éñ0１+()\u00a0\u200b\x86\xff-_ORor")
	for iter := 0; iter < 300000; iter++ {
		seed := []rune(fuzzSeeds[rng.Intn(len(fuzzSeeds))])
		n := rng.Intn(6)
		for k := 0; k < n; k++ {
			pos := 0
			if len(seed) > 0 {
				pos = rng.Intn(len(seed) + 1)
			}
			r := alphabet[rng.Intn(len(alphabet))]
			seed = append(seed[:pos], append([]rune{r}, seed[pos:]...)...)
		}
		s := string(seed)
		if rng.Intn(3) == 0 {
			b := []byte(s)
			if len(b) > 0 {
				b[rng.Intn(len(b))] = byte(rng.Intn(256))
			}
			s = string(b)
		}
		done := make(chan bool)
		go func() {
			Email(s)
			SplitMulti(s)
			done <- true
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("hang on %q", s)
		}
	}
}
