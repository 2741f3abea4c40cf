// Package mail sends ofhub's e-mails.
//
// Two transports implement [Sender]:
//
//   - [SMTPSender] relays through a configured SMTP server (go-mail underneath);
//   - [Outbox] is the default when no SMTP server is configured: every message is
//     rendered exactly as it would go over SMTP, written as an .eml file and,
//     when a [Store] is given, recorded so operators can read it in the back office.
//
// The package deliberately knows nothing about ent or GraphQL: persistence is
// plugged in through the small [Store] interface.
//
// Senders never retry. A failed send returns an error; [Temporary] tells the
// caller whether trying again later makes sense.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// Message is what a caller wants to send. The sender adds From, Date and
// Message-ID itself.
type Message struct {
	To  []string
	Cc  []string
	Bcc []string // delivered to, but never written into the message headers
	// ReplyTo is optional; useful for mailings where answers should reach a person.
	ReplyTo string

	Subject string
	Text    string // text/plain body; at least one of Text and HTML is required
	HTML    string // text/html body, sent as an alternative to Text

	Attachments []Attachment
	// Headers holds extra headers (e.g. "Auto-Submitted"). Headers that the
	// sender manages itself (From, To, Subject, Content-Type, …) are refused.
	Headers map[string]string
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Name        string // file name shown to the recipient
	ContentType string // e.g. "application/pdf"; guessed by the mail client when empty
	Data        []byte
}

// Outcome says what happened to a message that was sent without error.
// Its values are stable strings so they can be stored or shown as they are.
type Outcome string

const (
	// Delivered means the SMTP server accepted the message for delivery.
	Delivered Outcome = "delivered"
	// Stored means the message was written to the local outbox instead of being sent.
	Stored Outcome = "stored"
)

// Result describes a successful send.
type Result struct {
	Outcome Outcome
	// MessageID is the Message-ID header, angle brackets included ("<…@domain>"),
	// so it can be matched against bounces and replies (In-Reply-To).
	MessageID string
	// Path is the .eml file written by the outbox (empty for SMTP).
	Path string
	// ServerResponse is the SMTP server's reply to the end of DATA (often a queue id).
	ServerResponse string
}

// Sender sends one message. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) (Result, error)
}

// Errors that callers may want to test with errors.Is.
var (
	// ErrInvalidAddress is matched by every *AddressError.
	ErrInvalidAddress = errors.New("invalid e-mail address")
	// ErrNoRecipients is returned when To, Cc and Bcc are all empty.
	ErrNoRecipients = errors.New("message has no recipient")
	// ErrInvalidMessage is returned for a message that cannot be rendered
	// (no body, forbidden header, line break in the subject…).
	ErrInvalidMessage = errors.New("invalid message")
	// ErrInvalidConfig is returned by NewSMTP and New for unusable settings.
	ErrInvalidConfig = errors.New("invalid mail configuration")
)

// AddressError reports an address that could not be parsed. Its message
// names the address and the field so an operator can fix the data.
type AddressError struct {
	Field   string // "From", "To", "Cc", "Bcc" or "Reply-To"
	Address string
	Err     error
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("mail: invalid %s address %q: %v", e.Field, e.Address, e.Err)
}

// Unwrap lets errors.Is(err, ErrInvalidAddress) match, and keeps the parser's cause.
func (e *AddressError) Unwrap() []error { return []error{ErrInvalidAddress, e.Err} }

// New returns the sender the configuration asks for: SMTP when cfg.Host is
// set, otherwise an outbox writing to outboxDir (and to store, which may be nil).
func New(cfg Config, outboxDir string, store Store) (Sender, error) {
	if cfg.Host != "" {
		return NewSMTP(cfg)
	}
	if outboxDir == "" {
		return nil, fmt.Errorf("%w: no SMTP host and no outbox directory", ErrInvalidConfig)
	}
	from := cfg.From
	if from == "" {
		from = DefaultOutboxFrom
	}
	// Fail now rather than on the first password reset.
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	return NewOutbox(outboxDir, from, store), nil
}

// Temporary reports whether a send error is worth retrying later: network
// failures, timeouts and SMTP 4xx replies. Invalid addresses, rejected
// recipients (5xx), bad credentials and configuration errors are permanent.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidAddress) || errors.Is(err, ErrNoRecipients) ||
		errors.Is(err, ErrInvalidMessage) || errors.Is(err, ErrInvalidConfig) {
		return false
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) {
		return sendErr.IsTemp()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var protoErr *textproto.Error // SMTP reply outside a send (greeting, AUTH…)
	if errors.As(err, &protoErr) {
		return protoErr.Code >= 400 && protoErr.Code < 500
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
