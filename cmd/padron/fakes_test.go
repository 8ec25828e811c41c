package main

import (
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
	var mu sync.Mutex
	logf := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(dir+"/mc.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintf(f, format+"\n", a...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	}))
	ts.Defer(srv.Close)
	ts.Setenv("MAILCHIMP_URL", srv.URL)
}
