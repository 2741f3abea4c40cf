// Package mailer connects the mail package to the rest of ofhub: it renders
// the built-in templates for the services and records every message in the
// database (OutboxMessage), which operators list through GraphQL.
package mailer

import (
	"context"
	"fmt"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/outboxmessage"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/server/mail"
)

// Mailer sends ofhub's e-mails.
type Mailer struct {
	Sender mail.Sender
	Client *ent.Client
	From   string
}

// New returns a mailer over SMTP when cfg names a host, else over the local
// outbox in outboxDir.
func New(c *ent.Client, cfg mail.Config, outboxDir string) (*Mailer, error) {
	m := &Mailer{Client: c, From: cfg.From}
	s, err := mail.New(cfg, outboxDir, Store{Client: c})
	if err != nil {
		return nil, err
	}
	m.Sender = s
	return m, nil
}

// SendLink renders a link template in lang and sends it to one address.
func (m *Mailer) SendLink(ctx context.Context, to, template, lang, firstName, link string, validFor time.Duration) error {
	return m.send(ctx, to, template, lang, mail.LinkData{FirstName: firstName, Link: link, ExpiresInMinutes: int(validFor.Minutes())})
}

// SendEmailChanged tells the former address of an account that its login
// e-mail is now newEmail (R-USR-8).
func (m *Mailer) SendEmailChanged(ctx context.Context, to, lang, firstName, newEmail string) error {
	return m.send(ctx, to, mail.TemplateEmailChanged, lang, mail.EmailChangedData{FirstName: firstName, NewEmail: newEmail})
}

func (m *Mailer) send(ctx context.Context, to, template, lang string, data any) error {
	msg, err := mail.RenderTemplate(template, lang, data)
	if err != nil {
		return fmt.Errorf("render %s: %w", template, err)
	}
	msg.To = []string{to}
	res, err := m.Sender.Send(ctx, msg)
	if err != nil {
		m.record(ctx, msg, outboxmessage.StatusFAILED, "", err.Error())
		return fmt.Errorf("send %s to %s: %w", template, to, err)
	}
	if res.Outcome == mail.Delivered {
		m.record(ctx, msg, outboxmessage.StatusSENT, res.MessageID, "")
	}
	return nil
}

// record keeps a trace of messages that did not go through the outbox
// (which stores its own through Store).
func (m *Mailer) record(ctx context.Context, msg mail.Message, status outboxmessage.Status, id, errText string) {
	from := m.From
	if from == "" {
		from = mail.DefaultOutboxFrom
	}
	b := m.Client.OutboxMessage.Create().SetFrom(from).SetTo(msg.To).SetSubject(msg.Subject).
		SetText(msg.Text).SetHTML(msg.HTML).SetStatus(status).SetMessageID(id)
	if errText != "" {
		b.SetError(errText)
	}
	_ = b.Exec(privacy.DecisionContext(context.WithoutCancel(ctx), privacy.Allow))
}

// Store records outbox messages in the database.
type Store struct{ Client *ent.Client }

// SaveOutboxMessage implements mail.Store.
func (s Store) SaveOutboxMessage(ctx context.Context, r mail.OutboxRecord) error {
	return s.Client.OutboxMessage.Create().SetFrom(r.From).SetTo(r.To).SetSubject(r.Subject).
		SetText(r.Text).SetHTML(r.HTML).SetMessageID(r.MessageID).SetEmlPath(r.EMLPath).
		SetStatus(outboxmessage.StatusSTORED).SetCreatedAt(r.CreatedAt.UTC()).
		Exec(privacy.DecisionContext(ctx, privacy.Allow))
}
