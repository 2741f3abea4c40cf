package mail_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/mail"
	"github.com/ofhub/ofhub/server/mail/smtptest"
)

const testLink = "https://app.ofhub.test/reset?token=abc&u=42"

func TestTemplatesRenderInFrenchAndEnglish(t *testing.T) {
	data := mail.LinkData{FirstName: "Jean", Link: testLink, ExpiresInMinutes: 30}
	tests := []struct {
		name, lang   string
		wantSubject  string
		wantInText   []string
		wantInHTML   []string
		wantHTMLLang string
	}{
		{
			name: mail.TemplatePasswordReset, lang: "fr",
			wantSubject:  "Réinitialisation de votre mot de passe ofhub",
			wantInText:   []string{"Bonjour Jean,", "réinitialiser le mot de passe", "Ce lien expire dans 30 minutes.", "Si vous n'êtes pas à l'origine de cette demande", "L'équipe ofhub"},
			wantInHTML:   []string{"Bonjour Jean,", "Choisir un nouveau mot de passe", "Ce lien expire dans 30 minutes.", "L'équipe ofhub"},
			wantHTMLLang: "fr",
		},
		{
			name: mail.TemplatePasswordReset, lang: "en",
			wantSubject:  "Reset your ofhub password",
			wantInText:   []string{"Hello Jean,", "reset the password", "This link expires in 30 minutes.", "The ofhub team"},
			wantInHTML:   []string{"Hello Jean,", "Choose a new password", "This link expires in 30 minutes."},
			wantHTMLLang: "en",
		},
		{
			name: mail.TemplateAccountVerification, lang: "",
			wantSubject:  "Confirmez votre adresse e-mail",
			wantInText:   []string{"Bonjour Jean,", "confirmer votre adresse e-mail", "L'équipe ofhub"},
			wantInHTML:   []string{"Confirmer mon adresse e-mail"},
			wantHTMLLang: "fr",
		},
		{
			name: mail.TemplateAccountVerification, lang: "en",
			wantSubject:  "Confirm your e-mail address",
			wantInText:   []string{"Hello Jean,", "confirm your e-mail address", "The ofhub team"},
			wantInHTML:   []string{"Confirm my e-mail address"},
			wantHTMLLang: "en",
		},
		{
			name: mail.TemplatePasswordSet, lang: "fr-FR",
			wantSubject:  "Définissez votre mot de passe ofhub",
			wantInText:   []string{"Bonjour Jean,", "définir le mot de passe", "Ce lien expire dans 30 minutes."},
			wantInHTML:   []string{"Définir mon mot de passe"},
			wantHTMLLang: "fr",
		},
		{
			name: mail.TemplatePasswordSet, lang: "EN",
			wantSubject:  "Set your ofhub password",
			wantInText:   []string{"Hello Jean,", "set the password", "This link expires in 30 minutes."},
			wantInHTML:   []string{"Set my password"},
			wantHTMLLang: "en",
		},
		{
			name: mail.TemplateWelcome, lang: "fr",
			wantSubject:  "Bienvenue sur ofhub",
			wantInText:   []string{"Bonjour Jean,", "Un compte vient d'être créé pour vous", "choisir votre mot de passe"},
			wantInHTML:   []string{"Choisir mon mot de passe"},
			wantHTMLLang: "fr",
		},
		{
			name: mail.TemplateWelcome, lang: "en_GB",
			wantSubject:  "Welcome to ofhub",
			wantInText:   []string{"Hello Jean,", "An account has just been created for you"},
			wantInHTML:   []string{"Choose my password"},
			wantHTMLLang: "en",
		},
		{
			name: mail.TemplatePasswordReset, lang: "de",
			wantSubject:  "Réinitialisation de votre mot de passe ofhub", // no German: French, not an error
			wantHTMLLang: "fr",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.lang, func(t *testing.T) {
			m, err := mail.RenderTemplate(tt.name, tt.lang, data)
			if err != nil {
				t.Fatalf("RenderTemplate: %v", err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.wantSubject)
			}
			// The link must be usable as is: in the text version verbatim on its own line…
			if !strings.Contains(m.Text, "\n"+testLink+"\n") {
				t.Errorf("text lacks the link on its own line:\n%s", m.Text)
			}
			// …and in the HTML version, once unescaped, as the button's target.
			if !strings.Contains(html.UnescapeString(m.HTML), `href="`+testLink+`"`) {
				t.Errorf("html lacks the link as href:\n%s", m.HTML)
			}
			for _, s := range tt.wantInText {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.wantInHTML {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q:\n%s", s, m.HTML)
				}
			}
			if !strings.Contains(m.HTML, `<html lang="`+tt.wantHTMLLang+`">`) {
				t.Errorf("html is not marked lang=%q", tt.wantHTMLLang)
			}
			if m.Headers["Content-Language"] != tt.wantHTMLLang || m.Headers["Auto-Submitted"] != "auto-generated" {
				t.Errorf("headers = %v", m.Headers)
			}
			if strings.Contains(m.Text, "\n\n\n") || strings.Contains(m.Text, "<no value>") {
				t.Errorf("text has leftovers:\n%s", m.Text)
			}
		})
	}
}

func TestTemplateExpiryIsWrittenTheWayPeopleSayIt(t *testing.T) {
	tests := []struct {
		minutes int
		fr, en  string
	}{
		{1, "Ce lien expire dans 1 minute.", "This link expires in 1 minute."},
		{30, "Ce lien expire dans 30 minutes.", "This link expires in 30 minutes."},
		{60, "Ce lien expire dans 1 heure.", "This link expires in 1 hour."},
		{90, "Ce lien expire dans 90 minutes.", "This link expires in 90 minutes."},
		{24 * 60, "Ce lien expire dans 24 heures.", "This link expires in 24 hours."},
		{3 * 24 * 60, "Ce lien expire dans 3 jours.", "This link expires in 3 days."},
	}
	for _, tt := range tests {
		for lang, want := range map[string]string{"fr": tt.fr, "en": tt.en} {
			m, err := mail.RenderTemplate(mail.TemplatePasswordReset, lang, mail.LinkData{Link: testLink, ExpiresInMinutes: tt.minutes})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("%d minutes in %s: want %q in text and html, text is:\n%s", tt.minutes, lang, want, m.Text)
			}
		}
	}
}

func TestTemplateOptionalParts(t *testing.T) {
	m, err := mail.RenderTemplate(mail.TemplateWelcome, "fr", mail.LinkData{Link: testLink})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "Bonjour,\n") || !strings.Contains(m.HTML, "Bonjour,</p>") {
		t.Errorf("without a first name the greeting should be just \"Bonjour,\":\n%s", m.Text)
	}
	if strings.Contains(m.Text, "expire") || strings.Contains(m.HTML, "expire") {
		t.Errorf("without an expiry no expiry sentence is expected:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "\n\n\n") {
		t.Errorf("empty paragraph left in:\n%q", m.Text)
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		name, tmpl string
		data       any
		wantErr    string
	}{
		{name: "missing link", tmpl: mail.TemplatePasswordReset, data: mail.LinkData{FirstName: "Jean"}, wantErr: "Link is required"},
		{name: "unknown template", tmpl: "invoice", data: mail.LinkData{Link: testLink}, wantErr: `unknown template "invoice"`},
		{name: "map without a field", tmpl: mail.TemplatePasswordReset, data: map[string]any{"Link": testLink}, wantErr: "FirstName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mail.RenderTemplate(tt.tmpl, "fr", tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestTemplateEscapesUserData(t *testing.T) {
	m, err := mail.RenderTemplate(mail.TemplatePasswordReset, "fr", mail.LinkData{
		FirstName: `<script>alert("x")</script>`,
		Link:      "javascript:alert(1)",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Error("first name injected raw HTML")
	}
	if strings.Contains(m.HTML, `href="javascript:`) {
		t.Error("javascript: link kept as a clickable href")
	}
}

func TestTemplateSentOverSMTPKeepsAccentsAndLink(t *testing.T) {
	srv := smtptest.Start(t)
	m, err := mail.RenderTemplate(mail.TemplatePasswordReset, "fr", mail.LinkData{FirstName: "Françoise", Link: testLink, ExpiresInMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	m.To = []string{"francoise@example.com"}
	if _, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]
	if got.ParseErr != nil {
		t.Fatal(got.ParseErr)
	}
	if got.Subject != "Réinitialisation de votre mot de passe ofhub" {
		t.Errorf("subject = %q", got.Subject)
	}
	for _, want := range []string{"Bonjour Françoise,", testLink, "Ce lien expire dans 30 minutes.", "L'équipe ofhub"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("received text lacks %q:\n%s", want, got.Text)
		}
	}
	if !strings.Contains(html.UnescapeString(got.HTML), `href="`+testLink+`"`) {
		t.Errorf("received html lacks the link:\n%s", got.HTML)
	}
	if h := got.Header["Auto-Submitted"]; len(h) != 1 || h[0] != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h)
	}
}

func TestRenderedTemplateIsACompleteMessage(t *testing.T) {
	m, err := mail.RenderTemplate(mail.TemplateAccountVerification, "en", mail.LinkData{Link: testLink})
	if err != nil {
		t.Fatal(err)
	}
	m.To = []string{"a@example.com"}
	raw, id, err := mail.Render(m, testFrom)
	if err != nil {
		t.Fatal(err)
	}
	got := smtptest.ParseMessage(raw)
	if got.ParseErr != nil || got.Subject != "Confirm your e-mail address" || got.Header["Message-Id"][0] != id {
		t.Errorf("render = %q / %v / %q", got.Subject, got.ParseErr, id)
	}
}

// The notice of a changed login e-mail (R-USR-8) names the new address and
// tells what to do, in both languages; it needs the new address.
func TestEmailChangedTemplate_RUSR8(t *testing.T) {
	for lang, want := range map[string][]string{
		"fr": {"Votre adresse e-mail de connexion ofhub a changé", "Bonjour Jean,", "\nnouvelle@exemple.fr\n", "Carif-Oref"},
		"en": {"Your ofhub sign-in e-mail address has changed", "Hello Jean,", "\nnouvelle@exemple.fr\n", "Carif-Oref"},
	} {
		m, err := mail.RenderTemplate(mail.TemplateEmailChanged, lang, mail.EmailChangedData{FirstName: "Jean", NewEmail: "nouvelle@exemple.fr"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != want[0] {
			t.Errorf("%s subject = %q", lang, m.Subject)
		}
		for _, s := range want[1:] {
			if !strings.Contains(m.Text, s) {
				t.Errorf("%s text lacks %q:\n%s", lang, s, m.Text)
			}
		}
		if !strings.Contains(m.HTML, "nouvelle@exemple.fr") || !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
			t.Errorf("%s html:\n%s", lang, m.HTML)
		}
	}
	if _, err := mail.RenderTemplate(mail.TemplateEmailChanged, "fr", mail.EmailChangedData{FirstName: "Jean"}); err == nil || !strings.Contains(err.Error(), "NewEmail is required") {
		t.Errorf("without the new address: %v", err)
	}
}
