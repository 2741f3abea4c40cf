package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestServe_MetricsAddr: with OFHUB_METRICS_ADDR, `ofhub serve` exports
// /metrics on that address only (issue 10 item 14: /metrics was open to
// anyone on the API's address).
func TestServe_MetricsAddr(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		maddr := freeAddr(t)
		s := startServeEnv(t, []string{"OFHUB_METRICS_ADDR=" + maddr}, dbArgs(t, d)...)
		defer s.stop(t)
		get := func(url string) (int, string) {
			var resp *http.Response
			var err error
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if resp, err = http.Get(url); err == nil || time.Now().After(deadline) {
					break
				}
			}
			if err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if status, body := get("http://" + maddr + "/metrics"); status != 200 || !strings.Contains(body, "go_goroutines") {
			t.Errorf("/metrics on OFHUB_METRICS_ADDR: %d %.200s", status, body)
		}
		if status, body := get(s.url + "/metrics"); status == 200 || strings.Contains(body, "go_goroutines") {
			t.Errorf("/metrics on the API's address: %d %.200s, want it not served", status, body)
		}
	})
}
