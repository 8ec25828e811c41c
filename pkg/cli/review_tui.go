package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/review"
	"github.com/padron-org/padron/pkg/store"
)

// ANSI sequences the review draws with: plain ones every terminal emulator knows.
const (
	ansiAltScreen  = "\033[?1049h\033[?25l" // own screen, cursor hidden
	ansiMainScreen = "\033[?25h\033[?1049l"
	ansiHome       = "\033[H\033[2J"
	ansiBold       = "\033[1m"
	ansiDim        = "\033[2m"
	ansiReverse    = "\033[7m"
	ansiYellow     = "\033[33m"
	ansiReset      = "\033[0m"
)

const reviewKeys = "s same · d different · n skip · u undo last · q quit"

// key is one key press the review understands.
type key int

const (
	keyNone key = iota
	keySame
	keyDifferent
	keySkip
	keyUndo
	keyQuit
	keyHelp
)

// parseKeys turns what one read of the terminal returned into keys: letters, Enter,
// Ctrl-C and arrow sequences (→ skip, ← undo); anything else is keyNone.
func parseKeys(b []byte) []key {
	var out []key
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case 's', 'S', 'y', 'Y':
			out = append(out, keySame)
		case 'd', 'D':
			out = append(out, keyDifferent)
		case 'n', 'N', ' ', '\r', '\n':
			out = append(out, keySkip)
		case 'u', 'U', 0x7f, 0x08:
			out = append(out, keyUndo)
		case 'q', 'Q', 0x03, 0x04: // Ctrl-C and Ctrl-D quit too: raw mode turns them into bytes
			out = append(out, keyQuit)
		case '?', 'h':
			out = append(out, keyHelp)
		case 0x1b:
			if i+2 < len(b) && (b[i+1] == '[' || b[i+1] == 'O') {
				switch b[i+2] {
				case 'C':
					out = append(out, keySkip)
				case 'D':
					out = append(out, keyUndo)
				default:
					out = append(out, keyNone)
				}
				i += 2
				continue
			}
			out = append(out, keyQuit) // a lone Escape
		default:
			out = append(out, keyNone)
		}
	}
	return out
}

// terminalFiles returns stdin and the file to draw on (stdout, or stderr when stdout
// is redirected) when both are terminals.
func terminalFiles(e *env) (in, out *os.File, ok bool) {
	in, isFile := e.io.In.(*os.File)
	if !isFile || !term.IsTerminal(int(in.Fd())) {
		return nil, nil, false
	}
	for _, w := range []io.Writer{e.io.Out, e.io.Err} {
		if f, isFile := w.(*os.File); isFile && term.IsTerminal(int(f.Fd())) {
			return in, f, true
		}
	}
	return nil, nil, false
}

func runReviewTUI(e *env, o reviewOpts) error {
	if e.json() {
		return usageError("--json does not apply to the terminal review: 'padron review export' writes the queue as a spreadsheet, 'padron log --json' lists the decisions")
	}
	in, out, ok := terminalFiles(e)
	if !ok {
		return usageError("padron review is interactive and needs a terminal: to review without one, use 'padron review export' and 'padron review import'")
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := dedupe.StoredModel(e.ctx, st); err != nil {
		return err
	}
	src := review.NewStoreSource(st, e.cfg.GetStringSlice("nicknames"), e.actor())
	// The model and term frequencies are read while the first page of the queue is:
	// at a million records each takes a good part of a second.
	prepared := make(chan struct{})
	go func() { defer close(prepared); _ = src.Prepare(e.ctx) }()
	defer func() { <-prepared }()
	s := review.NewSession(e.ctx, src, review.Options{Limit: o.limit})

	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		s.Close()
		return fmt.Errorf("terminal: %w", err)
	}
	t := &reviewScreen{out: out, s: s}
	restore := func() {
		fmt.Fprint(out, ansiMainScreen)
		_ = term.Restore(fd, old)
	}
	// Killed or hung up: give the terminal back and let the queued decisions be
	// written before dying, so nothing the steward decided is lost.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	stop := make(chan struct{})
	defer func() { signal.Stop(sigs); close(stop) }()
	go func() {
		select {
		case sig := <-sigs:
			restore()
			s.Close()
			signal.Reset(sig)
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				_ = self.Signal(sig) // die of it, as without the handler
			}
		case <-stop:
		}
	}()
	fmt.Fprint(out, ansiAltScreen)
	t.status("reading the review queue…")
	loopErr := t.loop(in)
	if p := s.Progress(); p.Unsaved > 0 {
		t.status(fmt.Sprintf("saving %d decisions…", p.Unsaved))
	}
	closeErr := s.Close()
	restore()
	p := s.Progress()
	_, pending, qerr := st.ReviewQueue(e.ctx, 0, 1)
	left := ""
	if qerr == nil {
		left = fmt.Sprintf("; %d pairs still to review", pending)
	}
	e.say("review: %d decided, %d skipped%s", p.Decided, p.Skipped, left)
	if loopErr != nil {
		return loopErr
	}
	if closeErr != nil {
		return fmt.Errorf("some decisions could not be saved: %w", closeErr)
	}
	return nil
}

// reviewScreen draws the session on the terminal.
type reviewScreen struct {
	out  *os.File
	s    *review.Session
	note string // one line under the keys, until the next key
	help bool
}

func (t *reviewScreen) loop(in *os.File) error {
	buf := make([]byte, 64)
	var pending []key
	for {
		p, err := t.s.Current()
		if err != nil {
			return err
		}
		if p == nil {
			t.status("the review queue is done: nothing more to decide")
			return nil
		}
		t.draw(p)
		if len(pending) == 0 {
			n, err := in.Read(buf)
			if err != nil {
				if err == io.EOF {
					return nil
				}
				return fmt.Errorf("terminal: %w", err)
			}
			pending = parseKeys(buf[:n])
		}
		k := pending[0]
		pending = pending[1:]
		t.note, t.help = "", false
		switch k {
		case keySame:
			err = t.s.Decide(store.Same)
		case keyDifferent:
			err = t.s.Decide(store.Different)
		case keySkip:
			t.s.Skip()
		case keyUndo:
			if !t.s.Undo() {
				t.note = "nothing to undo in this session"
			}
		case keyQuit:
			return nil
		case keyHelp:
			t.help = true
		default:
			t.note = "keys: " + reviewKeys
		}
		if err != nil {
			return err
		}
	}
}

// status replaces the screen with one line, for the moments between items.
func (t *reviewScreen) status(msg string) {
	fmt.Fprintf(t.out, "%s%s\r\n", ansiHome, msg)
}

func (t *reviewScreen) draw(p *review.Pair) {
	width, height, err := term.GetSize(int(t.out.Fd()))
	if err != nil || width < 40 {
		width, height = 100, 40
	}
	var b bytes.Buffer
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString(ansiReset + "\033[K\r\n") // raw mode: a new line does not return the carriage
	}
	pr := t.s.Progress()
	saving := ""
	if pr.Unsaved > 0 {
		saving = ansiDim + "  saving…"
	}
	b.WriteString(ansiHome)
	line("%spadron review%s   item %d of %d · %d decided · %d skipped%s", ansiBold, ansiReset, pr.Position, pr.Total,
		pr.Decided, pr.Skipped, saving)
	it := p.Item
	people := fmt.Sprintf("people %d and %d: %d records", it.PersonA, it.PersonB, it.Records)
	if it.Donations > 0 {
		people += fmt.Sprintf(", %d donations", it.Donations)
	}
	line("match probability %s · %s", prob(it.Probability), people)
	line("")

	// Two columns of values beside the field names; ≠ marks values that disagree, ~
	// one given on one side only, for terminals without reverse video.
	const nameW = 14
	col := max(12, (width-nameW-4)/2)
	line("%s%-*s  %-*s  %s%s", ansiBold, nameW, "", col, "A #"+fmt.Sprint(p.A.ID), "B #"+fmt.Sprint(p.B.ID), ansiReset)
	for _, f := range p.Fields {
		mark, style := " ", ""
		switch {
		case f.Meta:
			style = ansiDim
		case f.Diff == review.Differ:
			mark, style = "≠", ansiReverse
		case f.Diff == review.OneSided:
			mark, style = "~", ansiYellow
		}
		a, bv := clip(f.A, col), clip(f.B, col)
		line("%s %-*s %s%s%s%s  %s%s%s", mark, nameW-1, f.Name, style, a, ansiReset, strings.Repeat(" ", col-len([]rune(a))),
			style, bv, ansiReset)
	}
	line("")
	if ex := p.Explanation; ex != nil {
		t.drawExplanation(line, ex)
	}
	line("")
	line("%s%s%s", ansiBold, reviewKeys, ansiReset)
	if t.help {
		for _, h := range []string{
			"s, y        the same person: their people are merged now",
			"d           different people: never joined, by this or any later dedupe",
			"n, →, Enter skip: the pair stays in the queue for another time",
			"u, ←        undo the last decision of this session and show its pair again",
			"q, Esc      quit; every decision is already saved",
		} {
			line("  %s", h)
		}
	}
	for _, n := range t.s.Notes() {
		t.note = n
	}
	if t.note != "" {
		line("%s%s", ansiYellow, t.note)
	}
	_ = height // the terminal scrolls what does not fit; rows are few
	b.WriteString("\033[J")
	_, _ = t.out.Write(b.Bytes())
}

func (t *reviewScreen) drawExplanation(line func(string, ...any), ex *match.Explanation) {
	line("%swhy%s: match weight %+.2f bits → probability %s", ansiBold, ansiReset, ex.Weight, prob(ex.Probability))
	line("  %-14s %-28s %+7.2f  %s", "prior", "", ex.PriorWeight, waterfall(ex.PriorWeight))
	for _, f := range ex.Fields {
		if f.Level == 0 {
			line("  %s%-14s %-28s%s", ansiDim, f.Comparison, f.LevelName, ansiReset)
			continue
		}
		tf := ""
		if f.TFValue != "" {
			tf = fmt.Sprintf("  %s(%q in %.3g%% of records)%s", ansiDim, clip(f.TFValue, 24), 100*f.TFU, ansiReset)
		}
		line("  %-14s %-28s %+7.2f  %-15s%s", f.Comparison, clip(f.LevelName, 28), f.Total, waterfall(f.Total), tf)
	}
	if ex.Swapped {
		line("  names compared with given and family name swapped on one side")
	}
	if ex.Conflict != "" {
		line("  %snever linked automatically: %s%s", ansiYellow, ex.Conflict, ansiReset)
	}
}
