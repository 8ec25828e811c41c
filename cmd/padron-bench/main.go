// Command padron-bench measures padron against the practical limits, side by side in one
// run, and prints ratios. padron runs as a child process (built once per run with go
// build) so its time and peak RSS are its own.
//
//	go run ./cmd/padron-bench import [-rows 1000000] [-xlsx-rows 100000] [-runs 3] [-dir DIR]
//
// imports a generated CSV against DuckDB's own read_csv, and a generated XLSX against a
// bare excelize row scan.
//
//	go run ./cmd/padron-bench dedupe-accuracy [-shared ../shared] [-dir DIR] [-auto P -review P]
//
// imports four labelled data sets (FEBRL dataset3, Splink's fake_1000 and
// historical_figures_with_errors_50k, padron's own generated set), runs padron dedupe and
// export links, and scores the people found against the truth: pairwise and B³
// precision, recall and F1, beside a plain DuckDB SQL baseline on the same records.
//
//	go run ./cmd/padron-bench dedupe-speed [-sizes 100000,300000,1000000] [-dir DIR]
//
// times padron dedupe (wall time, peak RSS, pairs compared per second) on generated sets
// of about those many records, with its accuracy, beside the same SQL baseline.
//
//	go run ./cmd/padron-bench bank-mt940 [-shared ../shared] [-v]
//	go run ./cmd/padron-bench bank-camt [-shared ../shared] [-v]
//	go run ./cmd/padron-bench bank-ofx [-shared ../shared] [-v]
//	go run ./cmd/padron-bench bank-norma43 [-shared ../shared] [-v]
//	go run ./cmd/padron-bench bank-speed [-transactions 1000000]
//
// read the peer parsers' bank statements (../shared/datasets/bank) with padron's
// readers and compare them with the peers' expected results, file by file.
//
//	go run ./cmd/padron-bench donations-accuracy [-people 10000] [-seed 7] [-v]
//
// generates contact lists and a year of statements from four banks (synth.GenerateBank),
// imports them, runs dedupe, and scores each donation's person against the truth:
// precision and recall of attribution, per method and per difficulty.
//
// Run it from the repository (it builds ./cmd/padron). The data sets are read where they
// are (-shared), never copied into the repository.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const usage = `usage:
  padron-bench import [-rows N] [-xlsx-rows N] [-runs N] [-dir DIR]
  padron-bench dedupe-accuracy [-shared DIR] [-dir DIR] [-only SET,...] [-auto P] [-review P] [-padron BIN]
  padron-bench dedupe-speed [-sizes N,N,...] [-dir DIR] [-auto P] [-review P] [-padron BIN]
  padron-bench review-speed [-records N] [-items N] [-dir DIR] [-review P] [-padron BIN]
  padron-bench review-roundtrip [-people N] [-min N] [-dir DIR] [-review P] [-auto P] [-padron BIN]
  padron-bench bank-mt940 [-shared DIR] [-v]
  padron-bench bank-camt [-shared DIR] [-v]
  padron-bench bank-ofx [-shared DIR] [-v]
  padron-bench bank-norma43 [-shared DIR] [-v]
  padron-bench bank-speed [-transactions N] [-dir DIR]
  padron-bench donations-accuracy [-people N] [-seed N] [-dir DIR] [-padron BIN] [-v]`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "import":
		err = importMain(os.Args[2:])
	case "dedupe-accuracy":
		err = accuracyMain(os.Args[2:])
	case "dedupe-speed":
		err = speedMain(os.Args[2:])
	case "review-speed":
		err = reviewSpeedMain(os.Args[2:])
	case "review-roundtrip":
		err = reviewRoundtripMain(os.Args[2:])
	case "bank-mt940":
		err = bankMT940Main(os.Args[2:])
	case "bank-camt":
		err = bankCAMTMain(os.Args[2:])
	case "bank-ofx":
		err = bankOFXMain(os.Args[2:])
	case "bank-norma43":
		err = bankNorma43Main(os.Args[2:])
	case "bank-speed":
		err = bankSpeedMain(os.Args[2:])
	case "donations-accuracy":
		err = donationsMain(os.Args[2:])
	case "bank-scan": // bank-speed's child
		err = bankScanMain(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "padron-bench:", err)
		os.Exit(1)
	}
}

func step(s string) { fmt.Fprintln(os.Stderr, "padron-bench:", s) }

// workDir returns dir, or a new temporary folder and a function removing it.
func workDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, err
		}
		abs, err := filepath.Abs(dir)
		return abs, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "padron-bench-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// repoRoot finds the padron module's folder from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/padron-org/padron\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run padron-bench inside the padron repository (it builds ./cmd/padron)")
		}
		dir = parent
	}
}

// buildPadron builds the padron binary into dir and returns its path.
func buildPadron(dir string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "padron")
	step("building padron")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/padron")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/padron: %v\n%s", err, out)
	}
	return bin, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// sharedFlag registers -shared on fs and returns a function giving the folder that
// holds datasets/: the flag's value, or ../shared beside the repository.
func sharedFlag(fs *flag.FlagSet) func() (string, error) {
	shared := fs.String("shared", "", "folder holding datasets/ (default: ../shared beside the repository)")
	return func() (string, error) {
		if *shared != "" {
			return *shared, nil
		}
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		return filepath.Join(filepath.Dir(root), "shared"), nil
	}
}
