// Package ofhub is the gomobile-bindable face of the scanner module for
// native Android and iOS apps: only types gomobile can bind (strings, bool,
// int64, []byte, pointers to structs of those, interfaces of those, error).
// Lists cross the boundary as JSON strings.
//
// Build the libraries with gomobile (golang.org/x/mobile/cmd/gomobile):
//
//	gomobile bind -target=android -androidapi 24 -o ofhub.aar ./mobile/ofhub
//	gomobile bind -target=ios -o Ofhub.xcframework ./mobile/ofhub
//
// The app keeps one Scanner per device, calls Start once registered (the
// background loop syncs and follows other devices' check-ins), feeds camera
// frames to ScanFrame (or text from a QR intent to Scan) and shows the
// result full screen: Color GREEN or RED, Message, Names.
package ofhub

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/store"
)

// Listener receives events from the background loop.
type Listener interface {
	// OnRevoked: the device was revoked and its data wiped.
	OnRevoked()
}

// Scanner is a scanning device's engine with its durable local store.
type Scanner struct {
	st       *store.Store
	d        *device.Device
	lang     string
	mu       sync.Mutex
	cancel   context.CancelFunc
	listener Listener
	settings Settings
}

// Settings tune the engine as the ofhub-scan command's flags and the
// PWA's settings do; a zero field takes the default.
type Settings struct {
	// OnlineTimeoutMs: how long a scan waits for the server before it is
	// decided offline (default DefaultOnlineTimeoutMs; a longer wait is a
	// queue at the door).
	OnlineTimeoutMs int64
	// ProbeIntervalMs: while offline, how often the engine asks the
	// server's GET /healthz (default 500).
	ProbeIntervalMs int64
	// ProbeSuccesses: answers in a row that switch the device back online
	// (default 2).
	ProbeSuccesses int64
}

// DefaultOnlineTimeoutMs is the default of Settings.OnlineTimeoutMs.
const DefaultOnlineTimeoutMs = int64(device.DefaultOnlineTimeout / time.Millisecond)

// Open opens (or creates) the device's store in dir, the app's private
// files directory, with the default settings. lang is "fr" (default) or
// "en".
func Open(dir, lang string) (*Scanner, error) {
	return OpenWithSettings(dir, lang, nil)
}

// OpenWithSettings is Open with settings (nil: the defaults). A negative
// setting is refused.
func OpenWithSettings(dir, lang string, settings *Settings) (*Scanner, error) {
	var set Settings
	if settings != nil {
		set = *settings
	}
	if set.OnlineTimeoutMs < 0 || set.ProbeIntervalMs < 0 || set.ProbeSuccesses < 0 {
		return nil, errors.New("ofhub: settings must not be negative")
	}
	st, err := store.OpenPath(dir)
	if err != nil {
		return nil, err
	}
	s := &Scanner{st: st, lang: lang, settings: set}
	s.d = device.New(st, s.options())
	return s, nil
}

// OnlineTimeoutMs is how long a scan waits for the server (the setting, or
// its default).
func (s *Scanner) OnlineTimeoutMs() int64 { return s.d.OnlineTimeout().Milliseconds() }

func (s *Scanner) options() device.Options {
	ms := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	return device.Options{Lang: s.lang, OnlineTimeout: ms(s.settings.OnlineTimeoutMs),
		ProbeInterval: ms(s.settings.ProbeIntervalMs), ProbeSuccesses: int(s.settings.ProbeSuccesses), OnRevoked: func() {
			s.mu.Lock()
			l := s.listener
			s.mu.Unlock()
			if l != nil {
				l.OnRevoked()
			}
		}}
}

// SetListener registers the app's listener (nil to remove it).
func (s *Scanner) SetListener(l Listener) {
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
}

// Registration is what Register returns.
type Registration struct {
	DeviceID, Name string
	// ActivitiesJSON lists the activities the device may scan:
	// [{"id":…,"title":…,"start":…,"end":…,"perSlot":…}].
	ActivitiesJSON string
	Keys           int64
}

// Register joins the organisation with its site code and the device's
// identification code (R-CHK-3), then downloads the rosters.
func (s *Scanner) Register(server, siteCode, identificationCode, deviceInfo string) (*Registration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg, err := device.Register(ctx, s.st, server, siteCode, identificationCode, deviceInfo, s.options())
	if err != nil {
		return nil, err
	}
	s.d = device.New(s.st, s.options())
	if _, err := s.d.Sync(ctx); err != nil && !device.IsNetwork(err) {
		return nil, err
	}
	acts, _ := json.Marshal(reg.Activities)
	return &Registration{DeviceID: reg.DeviceID, Name: reg.Name, ActivitiesJSON: string(acts), Keys: int64(reg.Keys)}, nil
}

// ActivitiesJSON lists the activities the device may scan (JSON).
func (s *Scanner) ActivitiesJSON() string {
	b, _ := json.Marshal(s.st.Activities())
	return string(b)
}

// SetActivity chooses the activity to scan (0: the first one).
func (s *Scanner) SetActivity(id int64) error { return s.d.SetActivity(id) }

// Result is what the screen shows.
type Result struct {
	Status  string // ACCESS_OK, ALREADY_CHECKED_IN, INVALID_CODE…
	Color   string // GREEN or RED
	Message string // « Accès OK — DUPONT Jean », « KO, déjà pointé le … »
	// Names of the registration's participants, one per line.
	Names            string
	FirstCheckedInAt string // RFC 3339, or ""
	RegistrationID   int64
	Offline          bool // decided on the device, queued for upload
	Repeated         bool // same code within 3 s: nothing recorded
}

func toResult(r device.Result) *Result {
	out := &Result{Status: string(r.Status), Color: string(r.Color), Message: r.Message,
		RegistrationID: r.RegistrationID, Offline: r.Offline, Repeated: r.Repeated}
	names := make([]string, len(r.People))
	for i, p := range r.People {
		names[i] = p.Name()
	}
	out.Names = strings.Join(names, "\n")
	if r.FirstCheckedInAt != nil {
		out.FirstCheckedInAt = r.FirstCheckedInAt.UTC().Format(time.RFC3339)
	}
	return out
}

// Scan checks in the text of a QR code (online first, offline when the
// network fails; an offline decision is written durably before it is
// returned).
func (s *Scanner) Scan(code string) *Result {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return toResult(s.d.Scan(ctx, code))
}

// ErrNoCode: the image holds no readable QR code.
var ErrNoCode = errors.New("no QR code in the image")

// ScanImage decodes a PNG or JPEG photo and checks its code in.
func (s *Scanner) ScanImage(image []byte) (*Result, error) {
	code, err := qr.DecodeBytes(image)
	if err != nil {
		return nil, ErrNoCode
	}
	return s.Scan(code), nil
}

// ScanFrame decodes a camera frame (NV21 / YUV 4:2:0, as Android's camera
// delivers it: the Y plane first) and checks its code in. It returns nil,
// nil when the frame holds no code, so the app simply feeds the next one.
func (s *Scanner) ScanFrame(frame []byte, width, height int64) (*Result, error) {
	code, err := qr.DecodeYUV(int(width), int(height), frame)
	if err != nil {
		if errors.Is(err, qr.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return s.Scan(code), nil
}

// Status is what the status bar shows.
type Status struct {
	Online, Live, Revoked, Registered bool
	Queue, Roster                     int64
	LastSync                          string // RFC 3339, or ""
	DeviceName                        string
}

// Status summarises the device.
func (s *Scanner) Status() *Status {
	st := s.d.Status()
	out := &Status{Online: st.Online, Live: st.Live, Revoked: st.Revoked, Registered: st.Registered,
		Queue: int64(st.Queue), Roster: int64(st.Roster), DeviceName: st.DeviceName}
	if !st.LastSync.IsZero() {
		out.LastSync = st.LastSync.UTC().Format(time.RFC3339)
	}
	return out
}

// Sync uploads the queue and fetches roster changes now; it returns the
// number of scans uploaded.
func (s *Scanner) Sync() (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := s.d.Sync(ctx)
	return int64(rep.Uploaded), err
}

// Start runs the background loop (sync, live updates, online/offline
// switching) until Stop.
func (s *Scanner) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.d.Run(ctx)
}

// Stop ends the background loop.
func (s *Scanner) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// Close stops the loop and closes the store.
func (s *Scanner) Close() error {
	s.Stop()
	return s.st.Close()
}

// Message renders a status in lang, for apps that decide themselves
// (e.g. a custom offline flow): the same words as the server.
func Message(lang, status string) string {
	return result.Message(lang, result.Status(status), nil, time.Time{})
}
