package checkin_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/server/checkin"
)

// TestClientBatchesFitTheSyncLimit_RCHK5: the scanner clients split their
// offline queue into batches the server accepts (syncCheckIns refuses more
// than checkin.MaxSyncScans scans at once): the Go device library (the
// handheld CLI and the native apps) and the scanning PWA.
func TestClientBatchesFitTheSyncLimit_RCHK5(t *testing.T) {
	if device.BatchSize < 1 || device.BatchSize > checkin.MaxSyncScans {
		t.Errorf("scanner/device.BatchSize = %d, want 1…%d", device.BatchSize, checkin.MaxSyncScans)
	}
	js, err := os.ReadFile("../../mobile/pwa/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const SYNC_BATCH = (\d+);`).FindSubmatch(js)
	if m == nil {
		t.Fatal("app.js: SYNC_BATCH not found")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 1 || n > checkin.MaxSyncScans {
		t.Errorf("the PWA's SYNC_BATCH = %d, want 1…%d", n, checkin.MaxSyncScans)
	}
}
