package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// BenchmarkAbuse_CPUExhaustion measures what the audit's floods cost the
// server now (issue 10 item 4: 8.5 s and 34 s of CPU before), and the
// worst document within the limits: 1000 fields of one name, the square
// case of validation.
//
//	go test -run '^$' -bench Abuse_CPUExhaustion ./server/web/
func BenchmarkAbuse_CPUExhaustion(b *testing.B) {
	e := apptest.New(b, apptest.SQLite)
	for _, c := range []struct{ name, query string }{
		{"typename×10000", "{ " + strings.Repeat("__typename ", 10000) + "}"},
		{"me.id×20000", "{ me { " + strings.Repeat("id ", 20000) + "} }"},
		{"typename×2000", "{ " + strings.Repeat("__typename ", 2000) + "}"},
		{"typename×1000 (refused)", "{ " + strings.Repeat("__typename ", 999) + "}"},
		{"1000 aliases (allowed)", "{ " + aliases(999) + "}"},
		{"100 names × 10 (allowed)", "{ " + strings.Repeat(aliases(100), 9) + "}"},
		{"500 spreads of 1 fragment (allowed)", "{ " + strings.Repeat("...F ", 500) + "} fragment F on Query { __typename }"},
		{"100 spreads of 100 fragments (allowed)", "{ " + spreads(100) + "} " + fragments(100)},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				// A different document each time: nothing is cached.
				i++
				body, _ := json.Marshal(map[string]any{"query": "#" + strconv.Itoa(i) + "\n" + c.query})
				resp, err := http.Post(e.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}

func aliases(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("a" + strconv.Itoa(i) + ": __typename ")
	}
	return b.String()
}

func spreads(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("...F" + strconv.Itoa(i) + " ")
	}
	return b.String()
}

func fragments(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("fragment F" + strconv.Itoa(i) + " on Query { __typename } ")
	}
	return b.String()
}
