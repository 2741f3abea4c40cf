package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"maps"
	"mime"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// managedHeaders are written by the renderer itself. Letting a caller set
// them through Message.Headers would either be silently overwritten or,
// worse, produce a message whose headers disagree with its envelope.
var managedHeaders = map[string]bool{
	"From": true, "Sender": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true,
	"Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
	"Content-Type": true, "Content-Transfer-Encoding": true, "Return-Path": true,
}

// Render returns m as the RFC 5322 bytes an SMTP server would receive, and its
// Message-ID (angle brackets included). from is the From header, e.g.
// "ofhub <no-reply@ofhub.fr>".
func Render(m Message, from string) ([]byte, string, error) {
	fromAddr, err := parseFrom(from)
	if err != nil {
		return nil, "", err
	}
	msg, err := buildMsg(m, fromAddr, time.Now())
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, "", fmt.Errorf("mail: render message: %w", err)
	}
	return buf.Bytes(), msg.GetMessageID(), nil
}

// parseFrom validates the sender address.
func parseFrom(from string) (*mail.Address, error) {
	addrs, err := parseAddresses("From", []string{from})
	if err != nil {
		return nil, err
	}
	return addrs[0], nil
}

// parseAddresses validates every address of one header so that the error
// names the culprit (go-mail's own message is less precise), and so that an
// invalid address is caught before any connection is opened.
func parseAddresses(field string, list []string) ([]*mail.Address, error) {
	out := make([]*mail.Address, 0, len(list))
	for _, raw := range list {
		addr, err := mail.ParseAddress(strings.TrimSpace(raw))
		if err != nil {
			return nil, &AddressError{Field: field, Address: raw, Err: err}
		}
		out = append(out, addr)
	}
	return out, nil
}

// buildMsg turns a Message into a go-mail Msg. All validation happens here,
// before any network or disk I/O, so an invalid message never half-leaves.
func buildMsg(m Message, from *mail.Address, now time.Time) (*gomail.Msg, error) {
	to, err := parseAddresses("To", m.To)
	if err != nil {
		return nil, err
	}
	cc, err := parseAddresses("Cc", m.Cc)
	if err != nil {
		return nil, err
	}
	bcc, err := parseAddresses("Bcc", m.Bcc)
	if err != nil {
		return nil, err
	}
	if len(to)+len(cc)+len(bcc) == 0 {
		return nil, fmt.Errorf("mail: %w", ErrNoRecipients)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, fmt.Errorf("mail: %w: empty body (set Text or HTML)", ErrInvalidMessage)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("mail: %w: line break in subject %q", ErrInvalidMessage, m.Subject)
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	// go-mail's setters replace the header when given an empty list, which would
	// leave an empty "Cc:" line; only set what is there.
	if len(to) > 0 {
		msg.ToMailAddress(to...)
	}
	if len(cc) > 0 {
		msg.CcMailAddress(cc...)
	}
	if len(bcc) > 0 {
		msg.BccMailAddress(bcc...)
	}
	if m.ReplyTo != "" {
		replyTo, err := parseAddresses("Reply-To", []string{m.ReplyTo})
		if err != nil {
			return nil, err
		}
		msg.ReplyToMailAddress(replyTo...)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(newMessageID(from.Address))

	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}

	for _, a := range m.Attachments {
		if a.Name == "" || strings.ContainsAny(a.Name, "\r\n") {
			return nil, fmt.Errorf("mail: %w: attachment name %q", ErrInvalidMessage, a.Name)
		}
		ct := a.ContentType
		if ct == "" {
			ct = mime.TypeByExtension(filepath.Ext(a.Name))
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("mail: attach %q: %w", a.Name, err)
		}
	}

	// Sorted so that the rendered message does not depend on map order.
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		value := m.Headers[name]
		canonical := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
		if !validHeaderName(canonical) {
			return nil, fmt.Errorf("mail: %w: header name %q", ErrInvalidMessage, name)
		}
		if managedHeaders[canonical] {
			return nil, fmt.Errorf("mail: %w: header %q is set by the mailer", ErrInvalidMessage, canonical)
		}
		// A line break in a value would let data inject headers of its own.
		if strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("mail: %w: line break in header %q", ErrInvalidMessage, canonical)
		}
		msg.SetGenHeader(gomail.Header(canonical), value)
	}
	return msg, nil
}

// validHeaderName accepts RFC 5322 field names: printable ASCII except ':' and space.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r > '~' || r == ':' {
			return false
		}
	}
	return true
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newMessageID builds the id part of a Message-ID on the sender's domain.
// go-mail would use the machine's host name, which in a container is a
// meaningless hash that also leaks infrastructure details.
func newMessageID(fromAddress string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(fromAddress, '@'); i >= 0 && i < len(fromAddress)-1 {
		domain = fromAddress[i+1:]
	}
	return strings.ToLower(idEncoding.EncodeToString(randomBytes(15))) + "@" + domain
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24 aborts the program instead)
	return b
}
