package smtptest_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/mail/smtptest"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseMessageDecodesWhatAMailClientShows(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		subject     string
		text, html  string
		attachments []string
	}{
		{
			name: "single quoted-printable part with encoded subject",
			raw: `Subject: =?UTF-8?q?R=C3=A9initialisation_=C3=A0_faire?=
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Fran=C3=A7ois, voici une tr=C3=A8s longue ligne coup=C3=A9e par un saut de =
ligne souple.
`,
			subject: "Réinitialisation à faire",
			text:    "François, voici une très longue ligne coupée par un saut de ligne souple.\n",
		},
		{
			name: "nested multipart with base64 parts and an attachment",
			raw: `Subject: plain ascii
Content-Type: multipart/mixed; boundary=OUT

--OUT
Content-Type: multipart/alternative; boundary=IN

--IN
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

w6kgw6Agw6c=
--IN
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PHA+w6k8L3A+
--IN--
--OUT
Content-Type: application/pdf; name="a.pdf"
Content-Disposition: attachment; filename="=?UTF-8?q?r=C3=A8gle.pdf?="
Content-Transfer-Encoding: base64

JVBERg==
--OUT--
`,
			subject:     "plain ascii",
			text:        "é à ç",
			html:        "<p>é</p>",
			attachments: []string{"règle.pdf"},
		},
		{
			name:    "no content type means plain text",
			raw:     "Subject: bare\n\nhello\n",
			subject: "bare",
			text:    "hello\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := smtptest.ParseMessage(crlf(tt.raw))
			if got.ParseErr != nil {
				t.Fatalf("ParseErr: %v", got.ParseErr)
			}
			if got.Subject != tt.subject || got.Text != tt.text || got.HTML != tt.html {
				t.Errorf("got %q / %q / %q, want %q / %q / %q", got.Subject, got.Text, got.HTML, tt.subject, tt.text, tt.html)
			}
			var names []string
			for _, a := range got.Attachments {
				names = append(names, a.Filename)
			}
			if strings.Join(names, ",") != strings.Join(tt.attachments, ",") {
				t.Errorf("attachments = %v, want %v", names, tt.attachments)
			}
		})
	}
}

func TestParseMessageReportsBrokenInput(t *testing.T) {
	got := smtptest.ParseMessage(crlf("Subject: x\nContent-Type: multipart/mixed; boundary=B\n\n--B\nno end"))
	if got.ParseErr == nil {
		t.Error("truncated multipart parsed without error")
	}
}
