package normalize

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/padron-org/padron/pkg/synth"
)

func wideMix(tb testing.TB, n int) (nums, regions []string) {
	var b bytes.Buffer
	if err := synth.WriteWideCSV(&b, n, 7); err != nil {
		tb.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range recs[1:] {
		if r[3] == "" {
			continue
		}
		nums = append(nums, r[3])
		regions = append(regions, r[8])
	}
	return
}

func BenchmarkPhoneMissScratch(b *testing.B) {
	nums, regs := wideMix(b, 50000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(nums)
		sinkS, sinkErr = parsePhoneCleaned(nums[j], regs[j])
	}
}

func parsePhoneCleaned(s, region string) (string, error) {
	var arr [48]byte
	key, err := phoneKey(arr[:0], s, region)
	if err != nil {
		return "", err
	}
	return parsePhone(string(key[len(region)+1:]), region)
}
