package mail_test

import (
	"context"
	"errors"
	"net"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/mail"
	"github.com/ofhub/ofhub/server/mail/smtptest"
)

const testFrom = "L'équipe ofhub <no-reply@ofhub.test>"

// smtpConfig points a sender at an in-process server, without TLS unless asked.
func smtpConfig(s *smtptest.Server) mail.Config {
	return mail.Config{
		Host:    s.Host(),
		Port:    s.Port(),
		From:    testFrom,
		TLS:     mail.TLSNone,
		Timeout: 5 * time.Second,
	}
}

// sameBody compares bodies as a reader sees them: the line break that ends
// every SMTP message is not something a person notices.
func sameBody(got, want string) bool {
	return strings.TrimRight(got, "\n") == strings.TrimRight(want, "\n")
}

// sameAddress compares two address header values by display name and address,
// whatever the quoting.
func sameAddress(got, want string) bool {
	g, err1 := netmail.ParseAddress(got)
	w, err2 := netmail.ParseAddress(want)
	return err1 == nil && err2 == nil && g.Name == w.Name && g.Address == w.Address
}

func newSMTP(t *testing.T, cfg mail.Config) *mail.SMTPSender {
	t.Helper()
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return sender
}

func TestSMTPSendDeliversWhatTheUserWrote(t *testing.T) {
	tests := []struct {
		name       string
		msg        mail.Message
		wantRcpts  []string
		wantHeader map[string]string // decoded header values to check
	}{
		{
			name: "plain text with accents in subject and body",
			msg: mail.Message{
				To:      []string{"jean.dupont@example.com"},
				Subject: "Votre inscription à la formation « Sécurité » est confirmée ç",
				Text:    "Bonjour Jean,\n\nVotre inscription à la session de Besançon est confirmée.\nÀ bientôt, François.\n",
			},
			wantRcpts:  []string{"jean.dupont@example.com"},
			wantHeader: map[string]string{"To": "jean.dupont@example.com"},
		},
		{
			name: "text and HTML alternatives",
			msg: mail.Message{
				To:      []string{"Hélène Çelik <helene@example.com>"},
				Subject: "Convocation",
				Text:    "Présentez-vous à 9 h, salle Léon-Blum.\n",
				HTML:    "<p>Présentez-vous à <b>9 h</b>, salle Léon-Blum.</p>",
			},
			wantRcpts:  []string{"helene@example.com"},
			wantHeader: map[string]string{"To": "Hélène Çelik <helene@example.com>"},
		},
		{
			name: "HTML only",
			msg: mail.Message{
				To:      []string{"a@example.com"},
				Subject: "HTML",
				HTML:    "<p>Déjà là</p>",
			},
			wantRcpts: []string{"a@example.com"},
		},
		{
			name: "cc and bcc reach the server but bcc stays hidden",
			msg: mail.Message{
				To:      []string{"to@example.com"},
				Cc:      []string{"cc@example.com"},
				Bcc:     []string{"secret@example.com"},
				ReplyTo: "formateur@example.com",
				Subject: "Copies",
				Text:    "x",
			},
			wantRcpts:  []string{"to@example.com", "cc@example.com", "secret@example.com"},
			wantHeader: map[string]string{"Cc": "cc@example.com", "Reply-To": "formateur@example.com"},
		},
		{
			name: "extra headers are sent",
			msg: mail.Message{
				To:      []string{"a@example.com"},
				Subject: "Headers",
				Text:    "x",
				Headers: map[string]string{"auto-submitted": "auto-generated", "X-Ofhub-Kind": "password_reset"},
			},
			wantRcpts:  []string{"a@example.com"},
			wantHeader: map[string]string{"Auto-Submitted": "auto-generated", "X-Ofhub-Kind": "password_reset"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			res, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), tt.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if res.Outcome != mail.Delivered || res.Path != "" {
				t.Errorf("result = %+v, want Delivered without path", res)
			}
			got := srv.WaitFor(1, 5*time.Second)[0]
			if got.ParseErr != nil {
				t.Fatalf("server could not parse message: %v\n%s", got.ParseErr, got.Raw)
			}
			if got.Subject != tt.msg.Subject {
				t.Errorf("subject = %q, want %q", got.Subject, tt.msg.Subject)
			}
			if !sameBody(got.Text, tt.msg.Text) {
				t.Errorf("text = %q, want %q", got.Text, tt.msg.Text)
			}
			if !sameBody(got.HTML, tt.msg.HTML) {
				t.Errorf("html = %q, want %q", got.HTML, tt.msg.HTML)
			}
			if !slices.Equal(got.To, tt.wantRcpts) {
				t.Errorf("envelope recipients = %v, want %v", got.To, tt.wantRcpts)
			}
			if got.From != "no-reply@ofhub.test" {
				t.Errorf("envelope sender = %q", got.From)
			}
			if h := got.Header["From"]; len(h) != 1 || !sameAddress(h[0], testFrom) {
				t.Errorf("From header = %q, want %q", h, testFrom)
			}
			if _, ok := got.Header["Bcc"]; ok {
				t.Errorf("Bcc header leaked to recipients: %q", got.Header["Bcc"])
			}
			if h := got.Header["Message-Id"]; len(h) != 1 || h[0] != res.MessageID ||
				!strings.HasSuffix(res.MessageID, "@ofhub.test>") {
				t.Errorf("Message-Id header %q, result %q: want equal, on the sender's domain", h, res.MessageID)
			}
			for k, want := range tt.wantHeader {
				h := got.Header[k]
				if len(h) != 1 || (h[0] != want && !sameAddress(h[0], want)) {
					t.Errorf("header %s = %q, want %q", k, h, want)
				}
			}
		})
	}
}

func TestSMTPSendCarriesAttachments(t *testing.T) {
	srv := smtptest.Start(t)
	pdf := []byte("%PDF-1.4 attestation\x00\x01\x02")
	_, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), mail.Message{
		To:      []string{"a@example.com"},
		Subject: "Attestation",
		Text:    "Veuillez trouver votre attestation ci-jointe.",
		Attachments: []mail.Attachment{
			{Name: "attestation-réussite.pdf", ContentType: "application/pdf", Data: pdf},
			{Name: "emargement.csv", Data: []byte("nom;présent\nDupont;oui\n")},
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]
	if got.ParseErr != nil {
		t.Fatalf("parse: %v", got.ParseErr)
	}
	if got.Text != "Veuillez trouver votre attestation ci-jointe." {
		t.Errorf("text = %q", got.Text)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("got %d attachments, want 2", len(got.Attachments))
	}
	if a := got.Attachments[0]; a.Filename != "attestation-réussite.pdf" || a.ContentType != "application/pdf" || string(a.Data) != string(pdf) {
		t.Errorf("pdf attachment = %q %q %q", a.Filename, a.ContentType, a.Data)
	}
	if a := got.Attachments[1]; a.Filename != "emargement.csv" || a.ContentType != "text/csv" || string(a.Data) != "nom;présent\nDupont;oui\n" {
		t.Errorf("csv attachment = %q %q %q", a.Filename, a.ContentType, a.Data)
	}
}

func TestSMTPAuthentication(t *testing.T) {
	tests := []struct {
		name          string
		user, pass    string
		wantDelivered bool
		wantErr       string
	}{
		{name: "right credentials deliver", user: "ofhub", pass: "s3cret-é", wantDelivered: true},
		{name: "wrong password is refused", user: "ofhub", pass: "nope", wantErr: "535"},
		{name: "unknown user is refused", user: "intruder", pass: "s3cret-é", wantErr: "535"},
		{name: "missing credentials are refused", wantErr: "authenticate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.WithAuth("ofhub", "s3cret-é"))
			cfg := smtpConfig(srv)
			cfg.Username, cfg.Password = tt.user, tt.pass
			_, err := newSMTP(t, cfg).Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
			if tt.wantDelivered {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if got := srv.WaitFor(1, 5*time.Second)[0]; got.AuthUser != "ofhub" {
					t.Errorf("authenticated as %q, want ofhub", got.AuthUser)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), srv.Addr()) {
				t.Errorf("error %q does not name the server %s", err, srv.Addr())
			}
			if mail.Temporary(err) {
				t.Errorf("auth failure reported as temporary: %v", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d message(s) without valid credentials", n)
			}
		})
	}
}

func TestSMTPTLSModes(t *testing.T) {
	tests := []struct {
		name    string
		server  []smtptest.Option
		mode    string
		wantTLS bool
		wantErr string
	}{
		{name: "starttls required and offered", server: []smtptest.Option{smtptest.WithSTARTTLS()}, mode: mail.TLSStartTLS, wantTLS: true},
		{name: "starttls required but not offered fails", mode: mail.TLSStartTLS, wantErr: "STARTTLS"},
		{name: "default upgrades when offered", server: []smtptest.Option{smtptest.WithSTARTTLS()}, mode: "", wantTLS: true},
		{name: "default falls back to clear text", mode: "", wantTLS: false},
		{name: "implicit tls", server: []smtptest.Option{smtptest.WithImplicitTLS()}, mode: mail.TLSImplicit, wantTLS: true},
		{name: "none stays in clear text", server: []smtptest.Option{smtptest.WithSTARTTLS()}, mode: mail.TLSNone, wantTLS: false},
		{name: "untrusted certificate is refused", server: []smtptest.Option{smtptest.WithImplicitTLS()}, mode: "untrusted", wantErr: "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.server...)
			cfg := smtpConfig(srv)
			cfg.TLS = tt.mode
			cfg.TLSConfig = srv.ClientTLSConfig()
			if tt.mode == "untrusted" {
				cfg.TLS, cfg.TLSConfig = mail.TLSImplicit, nil // system roots do not know the test CA
			}
			_, err := newSMTP(t, cfg).Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := srv.WaitFor(1, 5*time.Second)[0]; got.TLS != tt.wantTLS {
				t.Errorf("message sent over TLS = %v, want %v", got.TLS, tt.wantTLS)
			}
		})
	}
}

func TestSMTPPasswordIsNotSentInClearToRemoteHost(t *testing.T) {
	// go-mail allows AUTH PLAIN in clear text to localhost only. Reaching the
	// in-process server through 127.0.0.2 makes it look remote, which is the
	// situation this guard is for.
	srv := smtptest.Start(t, smtptest.WithAuth("ofhub", "pw"))
	cfg := smtpConfig(srv)
	cfg.Host = "127.0.0.2"
	cfg.Port = forward(t, cfg.Host, srv.Addr())
	cfg.Username, cfg.Password = "ofhub", "pw"
	_, err := newSMTP(t, cfg).Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("Send error = %v, want a refusal to authenticate without encryption", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d message(s) delivered", n)
	}
}

// forward listens on host:0 and pipes every connection to target; it returns the port.
func forward(t *testing.T, host, target string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s here: %v", host, err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = copyConn(u, c); done <- struct{}{} }()
				go func() { _, _ = copyConn(c, u); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func copyConn(dst, src net.Conn) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
	}
}

func TestSMTPUnreachableServerFailsWithinTimeout(t *testing.T) {
	// A port nobody listens on: the connection is refused at once.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedPort := closed.Addr().(*net.TCPAddr).Port
	_ = closed.Close()

	// A server that accepts the connection but never greets: the client must
	// give up at the timeout instead of hanging.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	silentPort := silent.Addr().(*net.TCPAddr).Port

	const timeout = 300 * time.Millisecond
	tests := []struct {
		name         string
		port         int
		wantDeadline bool
	}{
		{name: "connection refused", port: refusedPort},
		{name: "server never answers", port: silentPort, wantDeadline: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := newSMTP(t, mail.Config{Host: "127.0.0.1", Port: tt.port, From: testFrom, TLS: mail.TLSNone, Timeout: timeout})
			start := time.Now()
			_, err := sender.Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("Send succeeded against an unreachable server")
			}
			if elapsed > timeout+2*time.Second {
				t.Errorf("Send took %s, timeout is %s", elapsed, timeout)
			}
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tt.port))
			if !strings.Contains(err.Error(), addr) {
				t.Errorf("error %q does not name %s", err, addr)
			}
			if tt.wantDeadline && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %q is not a deadline error", err)
			}
			if !mail.Temporary(err) {
				t.Errorf("unreachable server not reported as temporary: %v", err)
			}
		})
	}
}

func TestSMTPSendStopsWhenContextIsCancelled(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	sender := newSMTP(t, mail.Config{
		Host: "127.0.0.1", Port: silent.Addr().(*net.TCPAddr).Port,
		From: testFrom, TLS: mail.TLSNone, Timeout: time.Minute,
	})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = sender.Send(ctx, mail.Message{To: []string{"a@example.com"}, Subject: "s", Text: "t"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send returned %s after cancellation", elapsed)
	}
}

func TestSMTPInvalidAddressIsNamedAndNothingIsSent(t *testing.T) {
	tests := []struct {
		name      string
		msg       mail.Message
		wantField string
		wantAddr  string
	}{
		{name: "to without domain", msg: mail.Message{To: []string{"ok@example.com", "jean.dupont@"}}, wantField: "To", wantAddr: "jean.dupont@"},
		{name: "to with spaces", msg: mail.Message{To: []string{"jean dupont example.com"}}, wantField: "To", wantAddr: "jean dupont example.com"},
		{name: "cc", msg: mail.Message{To: []string{"ok@example.com"}, Cc: []string{"@example.com"}}, wantField: "Cc", wantAddr: "@example.com"},
		{name: "bcc", msg: mail.Message{To: []string{"ok@example.com"}, Bcc: []string{"nobody"}}, wantField: "Bcc", wantAddr: "nobody"},
		{name: "reply-to", msg: mail.Message{To: []string{"ok@example.com"}, ReplyTo: "reply@"}, wantField: "Reply-To", wantAddr: "reply@"},
		{name: "empty", msg: mail.Message{To: []string{""}}, wantField: "To", wantAddr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			tt.msg.Subject, tt.msg.Text = "s", "t"
			_, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), tt.msg)
			var addrErr *mail.AddressError
			if !errors.As(err, &addrErr) || !errors.Is(err, mail.ErrInvalidAddress) {
				t.Fatalf("Send error = %v, want an *AddressError", err)
			}
			if addrErr.Field != tt.wantField || addrErr.Address != tt.wantAddr {
				t.Errorf("error names %s %q, want %s %q", addrErr.Field, addrErr.Address, tt.wantField, tt.wantAddr)
			}
			if !strings.Contains(err.Error(), strconv.Quote(tt.wantAddr)) {
				t.Errorf("error %q does not quote the address", err)
			}
			if mail.Temporary(err) {
				t.Error("invalid address reported as temporary")
			}
			// Validation happens before dialing, so the server saw nothing at all.
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d message(s)", n)
			}
		})
	}
}

func TestSMTPRecipientRefusedByServer(t *testing.T) {
	srv := smtptest.Start(t, smtptest.RejectRecipient("gone@example.com"))
	_, err := newSMTP(t, smtpConfig(srv)).Send(t.Context(), mail.Message{
		To: []string{"ok@example.com", "gone@example.com"}, Subject: "s", Text: "t",
	})
	if err == nil || !strings.Contains(err.Error(), "gone@example.com") || !strings.Contains(err.Error(), "550") {
		t.Fatalf("Send error = %v, want the refused recipient and the 550 reply", err)
	}
	if mail.Temporary(err) {
		t.Errorf("550 reported as temporary: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d message(s); a partial delivery must not happen", n)
	}
}

func TestSMTPSenderIsSafeForConcurrentUse(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newSMTP(t, smtpConfig(srv))
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := sender.Send(t.Context(), mail.Message{To: []string{"a@example.com"}, Subject: "n°" + strconv.Itoa(i), Text: "t"})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	srv.WaitFor(n, 5*time.Second)
}

func TestNewSMTPRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		cfg     mail.Config
		wantErr string
	}{
		{name: "no host", cfg: mail.Config{From: "a@b.fr"}, wantErr: "host is empty"},
		{name: "port inside host", cfg: mail.Config{Host: "smtp.example.com:587", From: "a@b.fr"}, wantErr: `use Host "smtp.example.com" and Port 587`},
		{name: "unknown TLS mode", cfg: mail.Config{Host: "smtp.example.com", From: "a@b.fr", TLS: "ssl"}, wantErr: `TLS mode "ssl"`},
		{name: "invalid from", cfg: mail.Config{Host: "smtp.example.com", From: "ofhub.fr"}, wantErr: `invalid From address "ofhub.fr"`},
		{name: "missing from", cfg: mail.Config{Host: "smtp.example.com"}, wantErr: "From"},
		{name: "password without user", cfg: mail.Config{Host: "smtp.example.com", From: "a@b.fr", Password: "x"}, wantErr: "without a username"},
		{name: "port out of range", cfg: mail.Config{Host: "smtp.example.com", From: "a@b.fr", Port: 70000}, wantErr: "port 70000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mail.NewSMTP(tt.cfg)
			if !errors.Is(err, mail.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewSMTP error = %v, want ErrInvalidConfig mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewChoosesTransportFromConfig(t *testing.T) {
	dir := t.TempDir()
	s, err := mail.New(mail.Config{Host: "smtp.example.com", From: "a@b.fr"}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*mail.SMTPSender); !ok {
		t.Errorf("with a host: got %T, want *SMTPSender", s)
	}
	s, err = mail.New(mail.Config{}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := s.(*mail.Outbox); !ok || o.Dir() != dir {
		t.Errorf("without a host: got %T, want *Outbox on %s", s, dir)
	}
	if _, err := mail.New(mail.Config{}, "", nil); !errors.Is(err, mail.ErrInvalidConfig) {
		t.Errorf("no host and no outbox dir: err = %v, want ErrInvalidConfig", err)
	}
	if _, err := mail.New(mail.Config{From: "not an address"}, dir, nil); !errors.Is(err, mail.ErrInvalidAddress) {
		t.Errorf("outbox with invalid From: err = %v, want ErrInvalidAddress", err)
	}
}
