package mail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/mail"
	"github.com/ofhub/ofhub/server/mail/smtptest"
)

func TestRenderRefusesMessagesThatCannotBeSentSafely(t *testing.T) {
	ok := mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"}
	tests := []struct {
		name    string
		edit    func(*mail.Message)
		wantIs  error
		wantErr string
	}{
		{name: "no recipient", edit: func(m *mail.Message) { m.To = nil }, wantIs: mail.ErrNoRecipients},
		{name: "no body", edit: func(m *mail.Message) { m.Text = "" }, wantIs: mail.ErrInvalidMessage, wantErr: "empty body"},
		{name: "line break in subject", edit: func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, wantIs: mail.ErrInvalidMessage, wantErr: "subject"},
		{name: "header injection in value", edit: func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a\nBcc: victim@example.com"} }, wantIs: mail.ErrInvalidMessage, wantErr: "X-Tag"},
		{name: "header managed by the mailer", edit: func(m *mail.Message) { m.Headers = map[string]string{"from": "boss@example.com"} }, wantIs: mail.ErrInvalidMessage, wantErr: `"From" is set by the mailer`},
		{name: "malformed header name", edit: func(m *mail.Message) { m.Headers = map[string]string{"X Bad:": "v"} }, wantIs: mail.ErrInvalidMessage, wantErr: "header name"},
		{name: "attachment without a name", edit: func(m *mail.Message) { m.Attachments = []mail.Attachment{{Data: []byte("x")}} }, wantIs: mail.ErrInvalidMessage, wantErr: "attachment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			_, _, err := mail.Render(m, testFrom)
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Render error = %v, want %v mentioning %q", err, tt.wantIs, tt.wantErr)
			}
		})
	}
}

func TestRenderGivesEachMessageItsOwnID(t *testing.T) {
	m := mail.Message{To: []string{"a@example.com"}, Subject: "Accentué", Text: "é"}
	raw1, id1, err := mail.Render(m, "ofhub <no-reply@ofhub.fr>")
	if err != nil {
		t.Fatal(err)
	}
	_, id2, err := mail.Render(m, "ofhub <no-reply@ofhub.fr>")
	if err != nil {
		t.Fatal(err)
	}
	if id1 == id2 || !strings.HasPrefix(id1, "<") || !strings.HasSuffix(id1, "@ofhub.fr>") {
		t.Errorf("ids %q and %q: want distinct <…@ofhub.fr> ids", id1, id2)
	}
	got := smtptest.ParseMessage(raw1)
	if got.ParseErr != nil || got.Subject != "Accentué" || got.Header["Date"] == nil {
		t.Errorf("rendered message: subject %q, date %q, err %v", got.Subject, got.Header["Date"], got.ParseErr)
	}
	if ua := got.Header["User-Agent"]; ua != nil {
		t.Errorf("User-Agent %q leaks the mail library", ua)
	}
}

func TestTemporaryTellsWhetherToRetry(t *testing.T) {
	if mail.Temporary(nil) {
		t.Error("nil error is not temporary")
	}
	if mail.Temporary(&mail.AddressError{Field: "To", Address: "x", Err: errors.New("no @")}) {
		t.Error("invalid address must not be retried")
	}
	if mail.Temporary(errors.New("something")) {
		t.Error("an unknown error must not be retried blindly")
	}
}
