package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// ageMagic begins every age file; a backup or export starting with it is encrypted.
const ageMagic = "age-encryption.org/v1\n"

// ErrNoKey says an encrypted file was given without any key to open it.
var ErrNoKey = errors.New("encrypted with age: give the identity file (--identity FILE) or the passphrase (PADRON_PASSPHRASE or the terminal)")

// WrongKeyError says none of the keys given opens an encrypted file.
type WrongKeyError struct{ Err error }

func (e *WrongKeyError) Error() string {
	return "none of the keys given opens it (wrong identity file or passphrase): " + e.Err.Error()
}
func (e *WrongKeyError) Unwrap() error { return e.Err }

// ParseRecipients reads age recipients: each string is a public key (age1...), the
// name never echoed back since a mistyped secret key must not end up in a log.
func ParseRecipients(keys []string) ([]age.Recipient, error) {
	var out []age.Recipient
	for i, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		rs, err := age.ParseRecipients(strings.NewReader(k))
		if err != nil {
			return nil, fmt.Errorf("recipient %d: not an age public key (age1...): %w", i+1, stripLine(err))
		}
		out = append(out, rs...)
	}
	return out, nil
}

// ReadRecipientsFile reads a file of age recipients, one per line, # for comments.
func ReadRecipientsFile(r io.Reader) ([]age.Recipient, error) {
	rs, err := age.ParseRecipients(r)
	if err != nil {
		return nil, fmt.Errorf("recipients file: %w", err)
	}
	return rs, nil
}

// ReadIdentities reads an age key file (AGE-SECRET-KEY-1... lines).
func ReadIdentities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	return ids, nil
}

// stripLine turns age's "error at line 1: x" into "x" for a single key.
func stripLine(err error) error {
	if _, rest, ok := strings.Cut(err.Error(), ": "); ok && strings.HasPrefix(err.Error(), "error at line") {
		return errors.New(rest)
	}
	return err
}

// EncryptWriter returns a writer whose bytes reach w encrypted with age for the
// recipients (age1... public keys) or, instead, a passphrase. Close must be called to
// finish the file; it does not close w. With neither, the bytes pass through as they are.
func EncryptWriter(w io.Writer, recipients []string, passphrase string) (io.WriteCloser, error) {
	rs, err := ParseRecipients(recipients)
	if err != nil {
		return nil, err
	}
	return Encrypt(w, rs, passphrase)
}

// Encrypt is EncryptWriter with parsed recipients.
func Encrypt(w io.Writer, recipients []age.Recipient, passphrase string) (io.WriteCloser, error) {
	switch {
	case len(recipients) > 0 && passphrase != "":
		// age's own rule: a passphrase file has no other recipients, so that nobody
		// holding a key can learn whether a guessed passphrase is right.
		return nil, errors.New("encrypt either to recipients or with a passphrase, not both")
	case passphrase != "":
		r, err := age.NewScryptRecipient(passphrase)
		if err != nil {
			return nil, fmt.Errorf("passphrase: %w", err)
		}
		if scryptWorkFactor > 0 {
			r.SetWorkFactor(scryptWorkFactor)
		}
		recipients = []age.Recipient{r}
	case len(recipients) == 0:
		return nopCloser{w}, nil
	}
	ew, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return ew, nil
}

// scryptWorkFactor, when set, replaces age's default (2^18, about a second); tests lower it.
var scryptWorkFactor int

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// IsEncrypted says whether what r holds next is an age file, without consuming it.
func IsEncrypted(r *bufio.Reader) bool {
	head, _ := r.Peek(len(ageMagic))
	return bytes.Equal(head, []byte(ageMagic))
}

// DecryptReader opens an age file with the identities and/or a passphrase. Errors
// say whether a key was missing or wrong; a damaged body shows up as a read error.
func DecryptReader(r io.Reader, identities []age.Identity, passphrase string) (io.Reader, error) {
	ids := append([]age.Identity(nil), identities...)
	if passphrase != "" {
		id, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			return nil, fmt.Errorf("passphrase: %w", err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, ErrNoKey
	}
	dr, err := age.Decrypt(r, ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, &WrongKeyError{Err: err}
		}
		return nil, fmt.Errorf("damaged or not an age file: %w", err)
	}
	return dr, nil
}
