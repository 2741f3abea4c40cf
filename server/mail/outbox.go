package mail

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"time"
)

// DefaultOutboxFrom is the From used by New when the outbox is selected and
// Config.From is empty: a development setup should work with no settings.
const DefaultOutboxFrom = "ofhub <no-reply@ofhub.localhost>"

// OutboxRecord is what the outbox hands to its Store for each message.
type OutboxRecord struct {
	MessageID string // with angle brackets, as in the .eml
	From      string
	To        []string
	Cc        []string
	Bcc       []string // not in the .eml (Bcc never is), hence kept here
	Subject   string
	Text      string
	HTML      string
	// Attachments lists the attachment file names; their content is in the .eml.
	Attachments []string
	EMLPath     string
	CreatedAt   time.Time
}

// Store records outbox messages, typically in the database so that operators
// can read them in the back office.
type Store interface {
	SaveOutboxMessage(ctx context.Context, rec OutboxRecord) error
}

// Outbox is the Sender used when no SMTP server is configured. Nothing leaves
// the machine: each message is written to Dir as an .eml file, byte for byte
// what SMTP would have sent, and recorded in the Store when there is one.
type Outbox struct {
	dir   string
	from  string
	store Store
	now   func() time.Time // replaced in tests
}

// NewOutbox returns an outbox writing to dir (created on first use) with the
// given From header. store may be nil: files only. An invalid from is
// reported by Send.
func NewOutbox(dir, from string, store Store) *Outbox {
	return &Outbox{dir: dir, from: from, store: store, now: time.Now}
}

// Dir is the directory the .eml files are written to.
func (o *Outbox) Dir() string { return o.dir }

// Send writes m to the outbox. If the file is written but the store fails,
// the returned Result still names the file (nothing is lost) along with the error.
func (o *Outbox) Send(ctx context.Context, m Message) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("mail: outbox: %w", err)
	}
	from, err := parseFrom(o.from)
	if err != nil {
		return Result{}, err
	}
	now := o.now()
	msg, err := buildMsg(m, from, now)
	if err != nil {
		return Result{}, err
	}

	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("mail: outbox directory: %w", err)
	}
	name := now.UTC().Format("20060102T150405.000Z") + "-" + hex.EncodeToString(randomBytes(4)) + ".eml"
	path := filepath.Join(o.dir, name)
	if err := writeAtomically(path, func(f *os.File) error {
		_, err := msg.WriteTo(f)
		return err
	}); err != nil {
		return Result{}, fmt.Errorf("mail: outbox: write %s: %w", path, err)
	}

	res := Result{Outcome: Stored, MessageID: msg.GetMessageID(), Path: path}
	if o.store == nil {
		return res, nil
	}
	rec := OutboxRecord{
		MessageID: res.MessageID,
		From:      displayAddress(from),
		To:        addressStrings(m.To),
		Cc:        addressStrings(m.Cc),
		Bcc:       addressStrings(m.Bcc),
		Subject:   m.Subject,
		Text:      m.Text,
		HTML:      m.HTML,
		EMLPath:   path,
		CreatedAt: now,
	}
	for _, a := range m.Attachments {
		rec.Attachments = append(rec.Attachments, a.Name)
	}
	if err := o.store.SaveOutboxMessage(ctx, rec); err != nil {
		return res, fmt.Errorf("mail: outbox: record %s (file kept at %s): %w", res.MessageID, path, err)
	}
	return res, nil
}

// writeAtomically writes through a temporary file in the same directory and
// renames it, so a reader listing the directory never sees a half-written .eml.
func writeAtomically(path string, write func(*os.File) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.eml")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	// The outbox may hold password-reset links: readable by the service's group, not by everyone.
	if err = tmp.Chmod(0o640); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// displayAddress formats an address for people reading the back office:
// "Jean Dupont <jean@x.fr>", with the name in clear rather than RFC 2047-encoded.
func displayAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

// addressStrings normalises addresses with displayAddress; they were
// validated by buildMsg already.
func addressStrings(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		if a, err := mail.ParseAddress(raw); err == nil {
			out = append(out, displayAddress(a))
		} else {
			out = append(out, raw)
		}
	}
	return out
}
