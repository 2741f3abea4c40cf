package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"regexp"
	"strings"
	"sync"
	texttemplate "text/template"
)

// Names of the built-in templates, for RenderTemplate.
const (
	// TemplatePasswordReset: "forgot password" link. Data: LinkData.
	TemplatePasswordReset = "password_reset"
	// TemplateAccountVerification: confirm the e-mail address of a new account. Data: LinkData.
	TemplateAccountVerification = "account_verification"
	// TemplatePasswordSet: invitation to set the password of an existing
	// account that has none (e.g. created by an import). Data: LinkData.
	TemplatePasswordSet = "password_set"
	// TemplateWelcome: first message of an account created by an operator,
	// with the link to choose a password. Data: LinkData.
	TemplateWelcome = "welcome"
	// TemplateEmailChanged: sent to the former address of an account whose
	// login e-mail was changed (R-USR-8). Data: EmailChangedData.
	TemplateEmailChanged = "email_changed"
)

// Languages of the templates. DefaultLang is used for "" and for any
// language without a translation: the reader still gets an e-mail.
const (
	DefaultLang = "fr"
	LangEnglish = "en"
)

// LinkData is the data of every built-in template.
type LinkData struct {
	FirstName string // optional: "Bonjour Jean," or just "Bonjour,"
	Link      string // required, absolute URL
	// ExpiresInMinutes is shown as "30 minutes", "24 heures", "3 jours"…; 0 hides the sentence.
	ExpiresInMinutes int
}

// EmailChangedData is the data of TemplateEmailChanged.
type EmailChangedData struct {
	FirstName string // optional, as in LinkData
	NewEmail  string // required: the address that is the login now
}

//go:embed templates
var templateFS embed.FS

var templateNames = []string{TemplatePasswordReset, TemplateAccountVerification, TemplatePasswordSet, TemplateWelcome, TemplateEmailChanged}
var templateLangs = []string{DefaultLang, LangEnglish}

type parsedTemplate struct {
	text *texttemplate.Template // defines "subject" and "text"
	html *htmltemplate.Template // entry point "layout"
}

// parsedTemplates parses every template once. The files are embedded, so a
// parse error is a bug caught by the tests, not a runtime condition.
var parsedTemplates = sync.OnceValues(func() (map[string]parsedTemplate, error) {
	out := make(map[string]parsedTemplate)
	for _, lang := range templateLangs {
		funcs := templateFuncs(lang)
		for _, name := range templateNames {
			txt, err := texttemplate.New(name).Option("missingkey=error").Funcs(funcs).
				ParseFS(templateFS, "templates/"+lang+"/common.txt", "templates/"+lang+"/"+name+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail: parse template %s/%s: %w", lang, name, err)
			}
			html, err := htmltemplate.New(name).Option("missingkey=error").Funcs(funcs).
				ParseFS(templateFS, "templates/layout.html", "templates/"+lang+"/common.html", "templates/"+lang+"/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("mail: parse template %s/%s: %w", lang, name, err)
			}
			out[lang+"/"+name] = parsedTemplate{text: txt, html: html}
		}
	}
	return out, nil
})

// RenderTemplate renders a built-in template in lang ("fr" by default, "en";
// "en-GB" or "EN" are understood) with data (normally a LinkData). The result
// has Subject, Text and HTML set; the caller adds the recipients.
func RenderTemplate(name, lang string, data any) (Message, error) {
	all, err := parsedTemplates()
	if err != nil {
		return Message{}, err
	}
	lang = normalizeLang(lang)
	t, ok := all[lang+"/"+name]
	if !ok {
		return Message{}, fmt.Errorf("mail: unknown template %q (known: %s)", name, strings.Join(templateNames, ", "))
	}

	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s/%s subject: %w", lang, name, err)
	}
	if err := t.text.ExecuteTemplate(&text, "text", data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s/%s text: %w", lang, name, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s/%s html: %w", lang, name, err)
	}
	return Message{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    tidyText(text.String()),
		HTML:    html.String(),
		Headers: map[string]string{
			// RFC 3834: tells vacation responders not to answer a robot.
			"Auto-Submitted":   "auto-generated",
			"Content-Language": lang,
		},
	}, nil
}

// normalizeLang maps "fr-FR", "EN", "en_GB"… to a supported language, and
// anything else to DefaultLang.
func normalizeLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	for _, l := range templateLangs {
		if l == lang {
			return l
		}
	}
	return DefaultLang
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText removes the empty paragraphs left by optional sentences (e.g. no expiry).
func tidyText(s string) string {
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n")) + "\n"
}

type buttonData struct{ URL, Label string }

func templateFuncs(lang string) map[string]any {
	return map[string]any{
		// lang is the value of <html lang>.
		"lang": func() string { return lang },
		// required makes a missing link fail loudly instead of mailing a dead button.
		"required": func(field string, v any) (any, error) {
			if v == nil || reflect.ValueOf(v).IsZero() {
				return nil, fmt.Errorf("%s is required", field)
			}
			return v, nil
		},
		"duration": func(minutes int) string { return humanDuration(lang, minutes) },
		"button":   func(url any, label string) buttonData { return buttonData{URL: fmt.Sprint(url), Label: label} },
	}
}

// humanDuration writes a link lifetime the way a person would say it:
// "30 minutes", "1 heure", "24 heures", "3 jours".
func humanDuration(lang string, minutes int) string {
	type unit struct{ one, many string }
	units := map[string][3]unit{
		"fr": {{"minute", "minutes"}, {"heure", "heures"}, {"jour", "jours"}},
		"en": {{"minute", "minutes"}, {"hour", "hours"}, {"day", "days"}},
	}[lang]
	n, u := minutes, units[0]
	switch {
	case minutes >= 48*60 && minutes%(24*60) == 0:
		n, u = minutes/(24*60), units[2]
	case minutes >= 60 && minutes%60 == 0:
		n, u = minutes/60, units[1]
	}
	// In French 0 and 1 are singular; in English only 1 is.
	if n == 1 || (lang == "fr" && n == 0) {
		return fmt.Sprintf("%d %s", n, u.one)
	}
	return fmt.Sprintf("%d %s", n, u.many)
}
