package report

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Chromium; a user's machine usually has none, CI installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no Chromium (chromium on PATH or /usr/bin/chromium): install Debian's chromium package to run the browser check"
	if os.Getenv("PADRON_REQUIRE_BROWSER") == "1" {
		t.Fatal(why + "; PADRON_REQUIRE_BROWSER=1 requires it")
	}
	t.Skip(why)
	return ""
}

// chartBox is what the browser says of one chart.
type chartBox struct {
	ID      string  `json:"id"`
	Width   float64 `json:"w"`
	Height  float64 `json:"h"`
	Visible bool    `json:"visible"`
	Bars    int     `json:"bars"`
	// DrawnBars have a non-zero height on screen (a zero total draws a bar of no width).
	DrawnBars int `json:"drawnBars"`
}

const chartsJS = `Array.from(document.querySelectorAll('svg')).map(s => {
	const r = s.getBoundingClientRect(), cs = getComputedStyle(s);
	const bars = Array.from(s.querySelectorAll('.bar'));
	return {id: s.id, w: r.width, h: r.height,
		visible: cs.display !== 'none' && cs.visibility === 'visible' && parseFloat(cs.opacity) > 0 && r.bottom > 0,
		bars: bars.length, drawnBars: bars.filter(b => b.getBoundingClientRect().height > 0).length};
})`

// layout is the page's width against the window's, and what sticks out.
type layout struct {
	InnerWidth   float64  `json:"innerWidth"`
	DocWidth     float64  `json:"docWidth"`
	BodyWidth    float64  `json:"bodyWidth"`
	Offenders    []string `json:"offenders"`
	Scrollers    int      `json:"scrollers"`    // table containers
	NotScrolling []string `json:"notScrolling"` // containers that would not scroll
	Resources    int      `json:"resources"`    // anything the page fetched
}

// Elements inside a table's own scroll container may be wider than the screen;
// nothing else may.
const layoutJS = `(() => {
	const vw = document.documentElement.clientWidth;
	const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
		(typeof e.className === 'string' && e.className ? '.' + e.className.trim().replace(/\s+/g, '.') : '');
	const offenders = Array.from(document.querySelectorAll('body *'))
		.filter(e => !(e.parentElement && e.parentElement.closest('.scroll')))
		.filter(e => e.getBoundingClientRect().right > vw + 0.5)
		.map(name);
	const scrollers = Array.from(document.querySelectorAll('.scroll'));
	return {innerWidth: window.innerWidth, docWidth: document.documentElement.scrollWidth,
		bodyWidth: document.body.scrollWidth, offenders: offenders, scrollers: scrollers.length,
		notScrolling: scrollers.filter(e => getComputedStyle(e).overflowX !== 'auto').map(name),
		resources: performance.getEntriesByType('resource').length};
})()`

func TestHTMLInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	shots := os.Getenv("PADRON_SCREENSHOT_DIR")
	if shots == "" {
		shots = dir
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "board-report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, fixtureReport()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: page}).String()

	// The whole check, browser start included, gets a minute so that it never hangs.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	// The network is closed here: without these flags Chromium waits on connections.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()

	// Read the console from before the page loads; the reader runs until the tab ends.
	var mu sync.Mutex
	var messages []chromedp.ConsoleMessage
	var consoleErr error
	done := make(chan struct{})
	stream := chromedp.Console(tab)
	go func() {
		defer close(done)
		for m, err := range stream {
			if err != nil {
				mu.Lock()
				consoleErr = err
				mu.Unlock()
				return
			}
			mu.Lock()
			messages = append(messages, m)
			mu.Unlock()
		}
	}()

	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("open %s in Chromium: %v", pageURL, err)
	}
	checkCharts(t, tab, "desktop")
	desk := checkLayout(t, tab, "desktop")
	if desk.Resources != 0 {
		t.Errorf("the page fetched %d resources, want none", desk.Resources)
	}
	screenshot(t, tab, filepath.Join(shots, "board-report.png"))

	// A phone: mobile emulation makes Chromium honour the viewport meta, as a phone does.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	for _, c := range checkCharts(t, tab, "phone") {
		if c.Width > 390 {
			t.Errorf("phone: chart %s is %.0f wide, wider than the screen", c.ID, c.Width)
		}
	}
	phone := checkLayout(t, tab, "phone")
	if phone.InnerWidth != 390 {
		t.Errorf("phone: window is %v wide, want 390 (viewport meta not honoured?)", phone.InnerWidth)
	}
	if phone.DocWidth > phone.InnerWidth || phone.BodyWidth > phone.InnerWidth || len(phone.Offenders) > 0 {
		t.Errorf("phone: page %v and body %v wide in a %v window; outside the tables' scroll containers these overflow: %q",
			phone.DocWidth, phone.BodyWidth, phone.InnerWidth, phone.Offenders)
	}
	screenshot(t, tab, filepath.Join(shots, "board-report-phone.png"))

	// Printed, each section starts a page and nothing is on a dark background.
	breaks, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('section')).map(s => getComputedStyle(s).breakBefore)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(breaks, ","), "page") {
		t.Errorf("on screen, sections break pages: %q", breaks)
	}
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	breaks, err = chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('section')).map(s => getComputedStyle(s).breakBefore)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(breaks) != 6 || strings.Count(strings.Join(breaks, ","), "page") != 6 {
		t.Errorf("printed, sections break before: %q, want page for all 6", breaks)
	}
	dark, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('*')).filter(e => {
		const m = getComputedStyle(e).backgroundColor.match(/rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/);
		return m && (m[4] === undefined || parseFloat(m[4]) > 0) && (+m[1] + +m[2] + +m[3]) / 3 < 128;
	}).map(e => e.tagName)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(dark) > 0 {
		t.Errorf("printed, these have a dark background: %q", dark)
	}

	// A probe proves the console is read: without it, "no errors" could mean "not listening".
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`console.error("padron-probe")`)); err != nil {
		t.Fatal(err)
	}
	probed := false
	for i := 0; i < 100 && !probed; i++ {
		// Events arrive on their own; poll a round trip to the page until the probe is in.
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`0`)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		for _, m := range messages {
			probed = probed || m.Text == "padron-probe"
		}
		mu.Unlock()
	}
	cancelTab()
	<-done
	if consoleErr != nil && ctx.Err() == nil && !strings.Contains(consoleErr.Error(), "context canceled") {
		t.Errorf("reading the console: %v", consoleErr)
	}
	if !probed {
		t.Fatal("the console probe never arrived: console errors would go unseen")
	}
	for _, m := range messages {
		if m.Text == "padron-probe" {
			continue
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			t.Errorf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
		} else {
			t.Logf("console %s", m)
		}
	}
}

func checkCharts(t *testing.T, tab context.Context, view string) []chartBox {
	t.Helper()
	charts, err := chromedp.Run(tab, chromedp.Evaluate[[]chartBox](chartsJS))
	if err != nil {
		t.Fatal(err)
	}
	// Sources, overlap, and one chart per currency by year and by month (EUR, PLN).
	if len(charts) != 6 {
		t.Fatalf("%s: %d charts, want 6", view, len(charts))
	}
	for _, c := range charts {
		if !c.Visible || c.Width < 100 || c.Height <= 0 {
			t.Errorf("%s: chart %s is not visible: %+v", view, c.ID, c)
		}
		if c.Bars == 0 || c.DrawnBars != c.Bars {
			t.Errorf("%s: chart %s draws %d of %d bars", view, c.ID, c.DrawnBars, c.Bars)
		}
	}
	return charts
}

func checkLayout(t *testing.T, tab context.Context, view string) layout {
	t.Helper()
	l, err := chromedp.Run(tab, chromedp.Evaluate[layout](layoutJS))
	if err != nil {
		t.Fatal(err)
	}
	if l.Scrollers == 0 || len(l.NotScrolling) > 0 {
		t.Errorf("%s: %d table containers, these do not scroll: %q", view, l.Scrollers, l.NotScrolling)
	}
	t.Logf("%s: %+v", view, l)
	return l
}

func screenshot(t *testing.T, tab context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot is not a PNG")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
