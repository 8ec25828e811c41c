package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
)

// agekeygen KEYFILE RECIPIENTFILE writes a new age identity and its public key, as
// age-keygen would, so scripts can encrypt to a key and decrypt with it.
func cmdAgeKeygen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: agekeygen KEYFILE RECIPIENTFILE")
	}
	id, err := age.GenerateX25519Identity()
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte("# test key\n"+id.String()+"\n"), 0o600))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(id.Recipient().String()+"\n"), 0o644))
}

// agedecrypt (-i KEYFILE | -p PASSPHRASE) IN OUT decrypts an age file the way the
// age tool would, proving padron's encrypted files open with standard age.
func cmdAgeDecrypt(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || (args[0] != "-i" && args[0] != "-p") {
		ts.Fatalf("usage: agedecrypt (-i KEYFILE | -p PASSPHRASE) IN OUT")
	}
	var ids []age.Identity
	if args[0] == "-i" {
		f, err := os.Open(ts.MkAbs(args[1]))
		ts.Check(err)
		defer f.Close()
		ids, err = age.ParseIdentities(f)
		ts.Check(err)
	} else {
		id, err := age.NewScryptIdentity(args[1])
		ts.Check(err)
		ids = []age.Identity{id}
	}
	in, err := os.Open(ts.MkAbs(args[2]))
	ts.Check(err)
	defer in.Close()
	r, err := age.Decrypt(in, ids...)
	var out []byte
	if err == nil {
		out, err = io.ReadAll(r)
	}
	if neg {
		if err == nil {
			ts.Fatalf("%s decrypted", args[2])
		}
		return
	}
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), out, 0o600))
}

// perm MODE FILE... fails unless each file has exactly that permission (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: perm MODE FILE...")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	for _, name := range args[1:] {
		fi, err := os.Stat(ts.MkAbs(name))
		ts.Check(err)
		if got := fi.Mode().Perm(); (uint64(got) == want) == neg {
			ts.Fatalf("%s has mode %o, want %s%o", name, got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	}
}

// flipbyte FILE OFFSET flips the lowest bit of one byte; a negative OFFSET counts
// from the end. truncate FILE N cuts a file to its first N bytes (negative: drop N).
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	at := offset(ts, args[1], len(data))
	data[at] ^= 1
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
}

func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data[:offset(ts, args[1], len(data))], 0o600))
}

func offset(ts *testscript.TestScript, s string, size int) int {
	n, err := strconv.Atoi(s)
	ts.Check(err)
	if n < 0 {
		n += size
	}
	if n < 0 || n >= size {
		ts.Fatalf("offset %s outside a file of %d bytes", s, size)
	}
	return n
}

// notcontains FILE TEXT fails if the file holds TEXT anywhere in its bytes.
func cmdNotContains(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: notcontains FILE TEXT")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if bytes.Contains(data, []byte(args[1])) != neg {
		ts.Fatalf("%s: contains %q is %v", args[0], args[1], !neg)
	}
	if !neg && !strings.HasPrefix(string(data), "age-encryption.org/v1\n") {
		// notcontains is only used on files that must be encrypted.
		ts.Fatalf("%s is not an age file", args[0])
	}
}
