package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakemailchimp starts a fake Mailchimp Marketing API for the script and sets
// MAILCHIMP_URL. It logs every request and member it receives to mc.log in the
// script's folder, takes unsubscribed and cleaned members from mc-unsub.txt
// ("email reason" lines), refuses members whose address contains "invalid" with a
// per-member error in a 200 answer (as Mailchimp does), and answers 401 to any key
// but k-us1.
func cmdFakeMailchimp(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.Getenv("WORK")
	logf := scriptLog(dir + "/mc.log")
	startFake(ts, "MAILCHIMP_URL", func(w http.ResponseWriter, r *http.Request) {
		if _, key, ok := r.BasicAuth(); !ok || key != "k-us1" {
			logf("%s %s unauthorized", r.Method, r.URL.Path)
			http.Error(w, `{"title":"API Key Invalid"}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/lists/"):
			var body struct {
				Members []struct {
					Email  string            `json:"email_address"`
					Status string            `json:"status"`
					Merge  map[string]string `json:"merge_fields"`
					Tags   []string          `json:"tags"`
				} `json:"members"`
				UpdateExisting bool `json:"update_existing"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			logf("POST %s members=%d update_existing=%v", r.URL.Path, len(body.Members), body.UpdateExisting)
			type email struct {
				Email string `json:"email_address"`
			}
			type merr struct {
				Email string `json:"email_address"`
				Error string `json:"error"`
				Code  string `json:"error_code"`
			}
			out := struct {
				New    []email `json:"new_members"`
				Errors []merr  `json:"errors"`
			}{New: []email{}, Errors: []merr{}}
			for _, m := range body.Members {
				logf("member %s %s FNAME=%s LNAME=%s CITY=%s tags=%s", m.Email, m.Status, m.Merge["FNAME"], m.Merge["LNAME"],
					m.Merge["CITY"], strings.Join(m.Tags, ","))
				if strings.Contains(m.Email, "invalid") {
					out.Errors = append(out.Errors, merr{m.Email, m.Email + " looks fake or invalid, please enter a real email address.", "ERROR_GENERIC"})
					continue
				}
				out.New = append(out.New, email{m.Email})
			}
			_ = json.NewEncoder(w).Encode(out)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/members"):
			status := r.URL.Query().Get("status")
			logf("GET %s status=%s", r.URL.Path, status)
			type member struct {
				Email       string `json:"email_address"`
				Status      string `json:"status"`
				LastChanged string `json:"last_changed"`
			}
			page := struct {
				Members []member `json:"members"`
				Total   int      `json:"total_items"`
			}{Members: []member{}}
			if r.URL.Query().Get("offset") == "" || r.URL.Query().Get("offset") == "0" {
				b, _ := os.ReadFile(dir + "/mc-unsub.txt")
				for _, line := range strings.Split(string(b), "\n") {
					f := strings.Fields(line)
					if len(f) == 2 && f[1] == status {
						page.Members = append(page.Members, member{f[0], status, "2025-05-01T10:00:00+00:00"})
					}
				}
			}
			page.Total = len(page.Members)
			_ = json.NewEncoder(w).Encode(page)
		default:
			http.NotFound(w, r)
		}
	})
}

// fakelistmonk starts a fake listmonk API for the script and sets LISTMONK_URL. It
// checks the token header (padron:s3cret), logs every imported CSV row to lm.log,
// reports each import finished, and answers subscriber queries from lm-status.txt
// ("email blocklisted" or "email unsubscribed" lines).
func cmdFakeListmonk(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.Getenv("WORK")
	logf := scriptLog(dir + "/lm.log")
	startFake(ts, "LISTMONK_URL", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token padron:s3cret" {
			http.Error(w, `{"message":"invalid API credentials"}`, http.StatusForbidden)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/import/subscribers":
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			logf("POST %s params=%s", r.URL.Path, r.FormValue("params"))
			f, hdr, err := r.FormFile("file")
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			defer f.Close()
			rows, err := csv.NewReader(f).ReadAll()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			logf("file %s header %s", hdr.Filename, strings.Join(rows[0], ","))
			for _, row := range rows[1:] {
				logf("row %s", strings.Join(row, "|"))
			}
			_, _ = w.Write([]byte(`{"data":{"name":"padron.csv","total":0,"imported":0,"status":"importing"}}`))
		case r.Method == http.MethodGet && r.URL.Path == "/api/import/subscribers":
			_, _ = w.Write([]byte(`{"data":{"name":"padron.csv","total":1,"imported":1,"status":"finished"}}`))
		case r.Method == http.MethodGet && r.URL.Path == "/api/subscribers":
			want := "unsubscribed"
			if strings.Contains(r.URL.Query().Get("query"), "blocklisted") {
				want = "blocklisted"
			}
			logf("GET %s %s", r.URL.Path, want)
			type sub struct {
				Email     string `json:"email"`
				Status    string `json:"status"`
				UpdatedAt string `json:"updated_at"`
			}
			var page struct {
				Data struct {
					Results []sub `json:"results"`
					Total   int   `json:"total"`
				} `json:"data"`
			}
			page.Data.Results = []sub{}
			if r.URL.Query().Get("page") == "1" {
				b, _ := os.ReadFile(dir + "/lm-status.txt")
				for _, line := range strings.Split(string(b), "\n") {
					if f := strings.Fields(line); len(f) == 2 && f[1] == want {
						page.Data.Results = append(page.Data.Results, sub{f[0], "enabled", "2025-05-01T10:00:00Z"})
					}
				}
			}
			page.Data.Total = len(page.Data.Results)
			_ = json.NewEncoder(w).Encode(page)
		default:
			http.NotFound(w, r)
		}
	})
}

// fakebrevo starts a fake Brevo API for the script and sets BREVO_URL. It checks the
// api-key header (xkeysib-test), logs each imported contact to brevo.log, answers an
// import with a process id, and lists the contacts of brevo-status.txt ("email
// blocklisted" lines) as blocklisted.
func cmdFakeBrevo(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.Getenv("WORK")
	logf := scriptLog(dir + "/brevo.log")
	startFake(ts, "BREVO_URL", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("api-key") != "xkeysib-test" {
			http.Error(w, `{"code":"unauthorized","message":"Key not found"}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/contacts/import":
			var body struct {
				Contacts []struct {
					Email      string            `json:"email"`
					Attributes map[string]string `json:"attributes"`
				} `json:"jsonBody"`
				ListIDs []int64 `json:"listIds"`
				Update  bool    `json:"updateExistingContacts"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			logf("POST %s lists=%v update=%v contacts=%d", r.URL.Path, body.ListIDs, body.Update, len(body.Contacts))
			for _, c := range body.Contacts {
				logf("contact %s FIRSTNAME=%s LASTNAME=%s", c.Email, c.Attributes["FIRSTNAME"], c.Attributes["LASTNAME"])
			}
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"processId":7}`))
		case r.Method == http.MethodGet && r.URL.Path == "/contacts":
			type contact struct {
				Email       string `json:"email"`
				Blacklisted bool   `json:"emailBlacklisted"`
				ModifiedAt  string `json:"modifiedAt"`
			}
			var page struct {
				Contacts []contact `json:"contacts"`
				Count    int       `json:"count"`
			}
			page.Contacts = []contact{}
			b, _ := os.ReadFile(dir + "/brevo-status.txt")
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) == 2 {
					page.Contacts = append(page.Contacts, contact{f[0], f[1] == "blocklisted", "2025-05-01T10:00:00.000+02:00"})
				}
			}
			page.Count = len(page.Contacts)
			if r.URL.Query().Get("offset") != "0" {
				page.Contacts = []contact{}
			}
			_ = json.NewEncoder(w).Encode(page)
		default:
			http.NotFound(w, r)
		}
	})
}

// scriptLog returns a printf that appends lines to a file of the script's folder,
// for scripts to grep what a fake server received.
func scriptLog(path string) func(format string, a ...any) {
	var mu sync.Mutex
	return func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintf(f, format+"\n", a...)
	}
}

// startFake serves h for the rest of the script and puts its URL in env.
func startFake(ts *testscript.TestScript, env string, h http.HandlerFunc) {
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv(env, srv.URL)
}
