package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/padron-org/padron/pkg/bank"
)

// bankSpeedMain times reading a generated MT940 file of n transactions (daily
// statements of 1,000 entries with Polish ^-subfields) in a child process, so that
// the peak RSS is the reader's own:
//
//	padron-bench bank-speed [-transactions 1000000] [-dir DIR]
func bankSpeedMain(args []string) error {
	fs := flag.NewFlagSet("bank-speed", flag.ExitOnError)
	n := fs.Int("transactions", 1_000_000, "transactions in the generated file")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	fs.Parse(args)
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "padron-bench-bank-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	path := filepath.Join(*dir, "statements.sta")
	step(fmt.Sprintf("writing %d MT940 transactions", *n))
	if err := writeMT940(path, *n); err != nil {
		return err
	}
	st, _ := os.Stat(path)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "bank-scan", path)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("bank-scan: %w", err)
	}
	d := time.Since(start)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	fmt.Printf("MT940 %d transactions (%.0f MiB): %s read in %.2f s, peak RSS %d MiB (target <= 512 MiB: %s)\n",
		*n, float64(st.Size())/(1<<20), out, d.Seconds(), rss>>20, metOr(rss <= 512<<20))
	return nil
}

// bankScanMain is the child of bank-speed: it streams one file through ScanMT940 and
// prints how many transactions it saw.
func bankScanMain(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("bank-scan FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	count := 0
	if _, err := bank.ScanMT940(bufio.NewReaderSize(f, 1<<16), filepath.Base(args[0]), func(s bank.Statement) error {
		count += len(s.Transactions)
		return nil
	}); err != nil {
		return err
	}
	fmt.Print(count)
	return nil
}

// writeMT940 writes n transactions as daily statements of 1,000 entries.
func writeMT940(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const per = 1000
	for s := 0; s*per < n; s++ {
		k := min(per, n-s*per)
		fmt.Fprintf(w, ":20:STMT%07d\n:25:PL61109010140000071219812874\n:28C:%d/1\n:60F:C250101PLN0,00\n", s, s+1)
		for i := 0; i < k; i++ {
			fmt.Fprintf(w, ":61:2501020102CN25,50NTRFNONREF//REF%010d\n:86:^00PRZELEW PRZYCHODZACY^20Darowizna na cele^21statutowe fundacji^32KOWALSKA ANNA^38PL61109010140000071219812874\n", s*per+i)
		}
		fmt.Fprintf(w, ":62F:C250102PLN%d,%02d\n-\n", k*2550/100, k*2550%100)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
