package mail_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/mail"
	"github.com/ofhub/ofhub/server/mail/smtptest"
)

type recordingStore struct {
	mu      sync.Mutex
	records []mail.OutboxRecord
	err     error
}

func (s *recordingStore) SaveOutboxMessage(_ context.Context, rec mail.OutboxRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, rec)
	return s.err
}

var emlName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}\.eml$`)

func TestOutboxWritesReadableEMLAndRecordsIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "outbox") // does not exist yet
	store := &recordingStore{}
	outbox := mail.NewOutbox(dir, testFrom, store)
	msg := mail.Message{
		To:          []string{"Jean Dupont <jean@example.com>"},
		Cc:          []string{"referent@example.com"},
		Bcc:         []string{"archive@example.com"},
		Subject:     "Réinitialisation de votre mot de passe — ç",
		Text:        "Bonjour Jean,\n\nCe lien expire dans 30 minutes.\n",
		HTML:        "<p>Bonjour Jean,</p><p>Ce lien expire dans 30 minutes.</p>",
		Attachments: []mail.Attachment{{Name: "règlement.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}},
	}
	before := time.Now()
	res, err := outbox.Send(t.Context(), msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.Outcome != mail.Stored || filepath.Dir(res.Path) != dir || !emlName.MatchString(filepath.Base(res.Path)) {
		t.Fatalf("result = %+v, want Stored with a <timestamp>-<id>.eml path in %s", res, dir)
	}

	raw, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	got := smtptest.ParseMessage(raw)
	if got.ParseErr != nil {
		t.Fatalf("the .eml does not parse: %v\n%s", got.ParseErr, raw)
	}
	if got.Subject != msg.Subject || !sameBody(got.Text, msg.Text) || !sameBody(got.HTML, msg.HTML) {
		t.Errorf("eml content = %q / %q / %q, want what was sent", got.Subject, got.Text, got.HTML)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].Filename != "règlement.pdf" || string(got.Attachments[0].Data) != "%PDF" {
		t.Errorf("eml attachments = %+v", got.Attachments)
	}
	if h := got.Header["Message-Id"]; len(h) != 1 || h[0] != res.MessageID {
		t.Errorf("eml Message-Id %q, result %q", h, res.MessageID)
	}
	if _, ok := got.Header["Bcc"]; ok {
		t.Error("Bcc written into the .eml")
	}

	// The password-reset links in there are secrets: no world access.
	if fi, err := os.Stat(res.Path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("eml mode = %v (%v), want 0640", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("outbox dir mode = %v (%v), want 0750", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("outbox holds %d entries, want just the .eml (no temp file left)", len(entries))
	}

	if len(store.records) != 1 {
		t.Fatalf("store called %d times, want 1", len(store.records))
	}
	rec := store.records[0]
	want := mail.OutboxRecord{
		MessageID:   res.MessageID,
		From:        "L'équipe ofhub <no-reply@ofhub.test>",
		To:          []string{"Jean Dupont <jean@example.com>"},
		Cc:          []string{"referent@example.com"},
		Bcc:         []string{"archive@example.com"},
		Subject:     msg.Subject,
		Text:        msg.Text,
		HTML:        msg.HTML,
		Attachments: []string{"règlement.pdf"},
		EMLPath:     res.Path,
	}
	if rec.CreatedAt.Before(before.Add(-time.Second)) || rec.CreatedAt.After(time.Now()) {
		t.Errorf("CreatedAt = %v, want about now", rec.CreatedAt)
	}
	rec.CreatedAt = time.Time{}
	if !equalRecords(rec, want) {
		t.Errorf("record =\n%+v\nwant\n%+v", rec, want)
	}
}

func equalRecords(a, b mail.OutboxRecord) bool {
	return a.MessageID == b.MessageID && a.From == b.From && slices.Equal(a.To, b.To) &&
		slices.Equal(a.Cc, b.Cc) && slices.Equal(a.Bcc, b.Bcc) && a.Subject == b.Subject &&
		a.Text == b.Text && a.HTML == b.HTML && slices.Equal(a.Attachments, b.Attachments) &&
		a.EMLPath == b.EMLPath && a.CreatedAt.Equal(b.CreatedAt)
}

func TestOutboxWithoutStoreWritesFilesOnly(t *testing.T) {
	dir := t.TempDir()
	outbox := mail.NewOutbox(dir, testFrom, nil)
	for i := range 3 {
		if _, err := outbox.Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "n", Text: strings.Repeat("é", i+1)}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 3 {
		t.Fatalf("outbox holds %d files (%v), want 3 distinct ones", len(entries), err)
	}
}

func TestOutboxKeepsTheFileWhenTheStoreFails(t *testing.T) {
	dir := t.TempDir()
	store := &recordingStore{err: errors.New("database is down")}
	res, err := mail.NewOutbox(dir, testFrom, store).Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
	if err == nil || !errors.Is(err, store.err) || !strings.Contains(err.Error(), res.Path) {
		t.Fatalf("Send error = %v, want the store error and the kept file's path", err)
	}
	if _, statErr := os.Stat(res.Path); statErr != nil {
		t.Errorf("file %q not kept: %v", res.Path, statErr)
	}
}

func TestOutboxInvalidRecipientWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	store := &recordingStore{}
	_, err := mail.NewOutbox(dir, testFrom, store).Send(t.Context(), mail.Message{
		To: []string{"jean@example.com", "marie@@example.com"}, Subject: "s", Text: "t",
	})
	var addrErr *mail.AddressError
	if !errors.As(err, &addrErr) || addrErr.Address != "marie@@example.com" || !strings.Contains(err.Error(), `"marie@@example.com"`) {
		t.Fatalf("Send error = %v, want an AddressError naming marie@@example.com", err)
	}
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Errorf("outbox directory created for an invalid message (%v)", statErr)
	}
	if len(store.records) != 0 {
		t.Errorf("store called %d times", len(store.records))
	}
}

func TestOutboxInvalidFromIsReported(t *testing.T) {
	_, err := mail.NewOutbox(t.TempDir(), "ofhub", nil).Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
	if !errors.Is(err, mail.ErrInvalidAddress) || !strings.Contains(err.Error(), `From address "ofhub"`) {
		t.Fatalf("Send error = %v, want the invalid From named", err)
	}
}

func TestOutboxAndSMTPProduceTheSameMessage(t *testing.T) {
	srv := smtptest.Start(t)
	msg := mail.Message{
		To:      []string{"jean@example.com"},
		Subject: "Même contenu, façon SMTP",
		Text:    "Texte accentué : é à ç ù œ\n",
		HTML:    "<p>Texte accentué : é à ç ù œ</p>",
	}
	if _, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	res, err := mail.NewOutbox(t.TempDir(), testFrom, nil).Send(t.Context(), msg)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	viaSMTP, viaFile := srv.WaitFor(1, 5*time.Second)[0], smtptest.ParseMessage(raw)
	if viaSMTP.Subject != viaFile.Subject || viaSMTP.Text != viaFile.Text || viaSMTP.HTML != viaFile.HTML {
		t.Errorf("smtp and outbox differ:\nsmtp: %q %q %q\nfile: %q %q %q",
			viaSMTP.Subject, viaSMTP.Text, viaSMTP.HTML, viaFile.Subject, viaFile.Text, viaFile.HTML)
	}
	for _, h := range []string{"From", "To", "Mime-Version", "Content-Type"} {
		a, b := viaSMTP.Header[h], viaFile.Header[h]
		if h == "Content-Type" { // the multipart boundary is random
			a, b = []string{strings.Split(a[0], ";")[0]}, []string{strings.Split(b[0], ";")[0]}
		}
		if !slices.Equal(a, b) {
			t.Errorf("header %s: smtp %q, outbox %q", h, a, b)
		}
	}
}
