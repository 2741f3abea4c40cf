package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

var wordDecoder = &mime.WordDecoder{}

// ParseMessage decodes a raw RFC 5322 message (an .eml file, say) the same
// way the server decodes what it receives. Envelope fields are left empty.
func ParseMessage(raw []byte) Received {
	r := Received{Raw: raw}
	parseInto(&r)
	return r
}

// parseInto fills the parsed fields of r from r.Raw. It decodes the way a
// mail client would, so tests can compare with what a person reads.
func parseInto(r *Received) {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		r.ParseErr = fmt.Errorf("read message: %w", err)
		return
	}
	r.Header = make(map[string][]string, len(msg.Header))
	for k, vs := range msg.Header {
		for _, v := range vs {
			if d, err := wordDecoder.DecodeHeader(v); err == nil {
				v = d
			}
			r.Header[k] = append(r.Header[k], v)
		}
	}
	if v := r.Header["Subject"]; len(v) > 0 {
		r.Subject = v[0]
	}
	if err := walkPart(r, mailHeader(msg.Header), msg.Body); err != nil {
		r.ParseErr = err
	}
}

// partHeader is the subset of header access shared by net/mail and mime/multipart.
type partHeader interface{ Get(string) string }

type mailHeader mail.Header

func (h mailHeader) Get(k string) string { return mail.Header(h).Get(k) }

func walkPart(r *Received, h partHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii" // RFC 2045 default
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: NextPart would silently decode quoted-printable and
			// drop the header, and we want one decoding path for every part.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := walkPart(r, p.Header, p); err != nil {
				return err
			}
		}
	}

	data, err := io.ReadAll(transferDecoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	switch {
	case disposition == "attachment" || (filename != "" && disposition != "inline"):
		if d, err := wordDecoder.DecodeHeader(filename); err == nil {
			filename = d
		}
		r.Attachments = append(r.Attachments, Attachment{Filename: filename, ContentType: mediaType, Data: data})
	case mediaType == "text/plain" && r.Text == "":
		r.Text = normalizeNewlines(string(data))
	case mediaType == "text/html" && r.HTML == "":
		r.HTML = normalizeNewlines(string(data))
	}
	return nil
}

func transferDecoder(encoding string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		// The base64 decoder skips the CRLF line breaks of the encoded body.
		return base64.NewDecoder(base64.StdEncoding, body)
	default: // 7bit, 8bit, binary
		return body
	}
}

// normalizeNewlines turns the CRLF of the wire format into "\n" so tests can
// compare bodies with the Go strings they were built from.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
