// Command ofhub-scan checks people in from handheld scanners and desktops.
//
//	ofhub-scan register --server URL --site CODE --code IDCODE
//	ofhub-scan listen [--activity ID] [--online-timeout 1s]   one code per line on stdin (keyboard-wedge scanners)
//	ofhub-scan scan FILE…                  check in the QR codes of images
//	ofhub-scan decode FILE…                print the text of QR codes
//	ofhub-scan sync                        upload the queue, update the roster
//	ofhub-scan status
//	ofhub-scan help
//
// Common flags: --dir (default $OFHUB_SCAN_DIR or ~/.ofhub-scan), --lang fr|en.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/store"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type env struct {
	dir, lang string
	verbose   bool
	out, err  io.Writer
	in        io.Reader
}

func (e *env) t(key string, args ...any) string {
	m := messages["fr"]
	if strings.HasPrefix(e.lang, "en") {
		m = messages["en"]
	}
	return fmt.Sprintf(m[key], args...)
}

func defaultDir() string {
	if d := os.Getenv("OFHUB_SCAN_DIR"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".ofhub-scan")
	}
	return ".ofhub-scan"
}

func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	e := &env{out: out, err: errw, in: in, lang: "fr", dir: defaultDir()}
	if l := os.Getenv("OFHUB_SCAN_LANG"); l != "" {
		e.lang = l
	}
	// Common flags may come before the command too.
	var cmd string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			cmd, rest = a, append(rest, args[i+1:]...)
			break
		}
		rest = append(rest, a)
		if !strings.Contains(a, "=") && i+1 < len(args) && (trimDash(a) == "dir" || trimDash(a) == "lang") {
			rest = append(rest, args[i+1])
			i++
		}
	}
	switch cmd {
	case "register":
		return e.register(ctx, rest)
	case "listen":
		return e.listen(ctx, rest)
	case "scan":
		return e.scanFiles(ctx, rest)
	case "decode":
		return e.decode(rest)
	case "sync":
		return e.sync(ctx, rest)
	case "status":
		return e.status(ctx, rest)
	case "", "help", "-h", "--help", "aide":
		e.flags("help").Parse(rest)
		fmt.Fprint(e.out, e.t("usage"))
		return 0
	}
	e.flags(cmd).Parse(rest)
	fmt.Fprint(e.err, e.t("unknown_command", cmd))
	fmt.Fprint(e.err, e.t("usage"))
	return 2
}

func trimDash(s string) string { return strings.TrimLeft(s, "-") }

// parse reads flags anywhere among the arguments ("scan a.png --lang en")
// and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.err)
	fs.StringVar(&e.dir, "dir", e.dir, "local data directory")
	fs.StringVar(&e.lang, "lang", e.lang, "language of messages: fr or en")
	fs.BoolVar(&e.verbose, "v", false, "diagnostics on stderr")
	return fs
}

func (e *env) open(opts device.Options) (*device.Device, error) {
	st, err := store.OpenPath(e.dir)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, errors.New(e.t("locked", e.dir))
		}
		return nil, err
	}
	if st.Torn > 0 && e.verbose {
		fmt.Fprintf(e.err, "journal: %d damaged line(s) ignored\n", st.Torn)
	}
	if opts.OnlineTimeout < 0 {
		return nil, errors.New(e.t("bad_timeout", opts.OnlineTimeout))
	}
	opts.Lang = e.lang
	if e.verbose {
		opts.Logf = func(f string, a ...any) { fmt.Fprintf(e.err, "· "+f+"\n", a...) }
	}
	d := device.New(st, opts)
	if !st.Stats().Registered {
		st.Close()
		return nil, errors.New(e.t("not_registered"))
	}
	return d, nil
}

func (e *env) fail(err error) int {
	if errors.Is(err, device.ErrRevoked) {
		fmt.Fprintln(e.err, result.Message(e.lang, result.DeviceRevoked, nil, time.Time{}))
		return 3
	}
	fmt.Fprintln(e.err, e.t("error", err))
	return 1
}

func (e *env) register(ctx context.Context, args []string) int {
	fs := e.flags("register")
	server := fs.String("server", "", "server address, e.g. https://ofhub.example")
	site := fs.String("site", "", "site code of the organisation")
	code := fs.String("code", "", "identification code of the device")
	_, err := parse(fs, args)
	if err != nil {
		return 2
	}
	if *server == "" || *site == "" || *code == "" {
		fmt.Fprint(e.err, e.t("register_usage"))
		return 2
	}
	st, err := store.OpenPath(e.dir)
	if err != nil {
		return e.fail(err)
	}
	defer st.Close()
	host, _ := os.Hostname()
	info := fmt.Sprintf("ofhub-scan %s/%s %s", runtime.GOOS, runtime.GOARCH, host)
	reg, err := device.Register(ctx, st, *server, *site, *code, info, device.Options{Lang: e.lang})
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprint(e.out, e.t("registered", reg.Name, len(reg.Activities)))
	for _, a := range reg.Activities {
		fmt.Fprintf(e.out, "  %d  %s\n", a.ID, a.Title)
	}
	d := device.New(st, device.Options{Lang: e.lang})
	rep, err := d.Sync(ctx)
	if err != nil {
		fmt.Fprintln(e.err, e.t("error", err))
		return 1
	}
	fmt.Fprint(e.out, e.t("roster", rep.Roster))
	return 0
}

func (e *env) chooseActivity(d *device.Device, id int64) error {
	if id != 0 {
		return d.SetActivity(id)
	}
	return nil
}

func (e *env) listen(ctx context.Context, args []string) int {
	fs := e.flags("listen")
	act := fs.Int64("activity", 0, "activity to scan (default: the chosen, only or first one)")
	wait := e.onlineTimeoutFlag(fs)
	color := e.colorFlag(fs)
	_, err := parse(fs, args)
	if err != nil {
		return 2
	}
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	d, err := e.open(device.Options{OnlineTimeout: *wait})
	if err != nil {
		return e.fail(err)
	}
	defer d.Store().Close()
	if err := e.chooseActivity(d, *act); err != nil {
		return e.fail(err)
	}
	if a, ok := d.Store().Activity(d.Activity()); ok {
		fmt.Fprint(e.err, e.t("listening", a.Title, a.ID))
	}
	go d.Run(ctx)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(e.in)
		sc.Buffer(make([]byte, 4096), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case <-ctx.Done():
			return 0
		case line, ok := <-lines:
			if !ok {
				// End of input: one last upload attempt, bounded.
				sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
				d.Sync(sctx)
				c()
				return 0
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			r := d.Scan(ctx, line)
			e.show(r, color)
			if r.Status == result.DeviceRevoked && d.Revoked() {
				return 3
			}
		}
	}
}

// colorMode says how result lines are decorated: by default colours and
// the bell only on a terminal, colours never under NO_COLOR
// (https://no-color.org); --color=true or --color=false decides.
type colorMode struct {
	set, on bool
	out     io.Writer
}

func (c *colorMode) String() string   { return strconv.FormatBool(c.on) }
func (c *colorMode) IsBoolFlag() bool { return true }
func (c *colorMode) Set(v string) error {
	b, err := strconv.ParseBool(v)
	c.set, c.on = true, b
	return err
}

// colors reports whether lines get ANSI colours, bell whether refusals
// ring the terminal's bell.
func (c *colorMode) colors() bool {
	if c.set {
		return c.on
	}
	return os.Getenv("NO_COLOR") == "" && isTerminal(c.out)
}

func (c *colorMode) bell() bool {
	if c.set {
		return c.on || isTerminal(c.out)
	}
	return isTerminal(c.out)
}

// onlineTimeoutFlag is --online-timeout: how long a scan waits for the
// server before the device decides offline (a slow network at the door
// may want more, a queue less).
func (e *env) onlineTimeoutFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("online-timeout", device.DefaultOnlineTimeout,
		"how long a scan waits for the server before deciding offline (e.g. 800ms, 2s)")
}

func (e *env) colorFlag(fs *flag.FlagSet) *colorMode {
	c := &colorMode{out: e.out}
	fs.Var(c, "color", "ANSI colours and the bell on refusals (default: on a terminal, colours off under NO_COLOR)")
	return c
}

// isTerminal reports whether w is a terminal (a character device), not a
// pipe or a file — without a terminal package: os.File.Stat says it.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// show prints one result line: green or red, the bell on refusals (on a
// terminal).
func (e *env) show(r device.Result, c *colorMode) {
	color := c.colors()
	var b strings.Builder
	if color {
		if r.OK() {
			b.WriteString("\x1b[1;32m")
		} else {
			b.WriteString("\x1b[1;31m")
		}
	}
	b.WriteString(r.Message)
	if color {
		b.WriteString("\x1b[0m")
	}
	if r.Offline {
		b.WriteString(e.t("offline_tag"))
	}
	if r.Repeated {
		b.WriteString(e.t("repeat_tag"))
	}
	if !r.OK() && c.bell() {
		b.WriteString("\a")
	}
	b.WriteString("\n")
	io.WriteString(e.out, b.String())
}

func (e *env) scanFiles(ctx context.Context, args []string) int {
	fs := e.flags("scan")
	act := fs.Int64("activity", 0, "activity to scan")
	wait := e.onlineTimeoutFlag(fs)
	color := e.colorFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) == 0 {
		fmt.Fprint(e.err, e.t("usage"))
		return 2
	}
	d, err := e.open(device.Options{OnlineTimeout: *wait})
	if err != nil {
		return e.fail(err)
	}
	defer d.Store().Close()
	if err := e.chooseActivity(d, *act); err != nil {
		return e.fail(err)
	}
	code := 0
	for _, f := range pos {
		raw, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(e.err, "%s: %v\n", f, err)
			code = 1
			continue
		}
		text, err := qr.DecodeBytes(raw)
		if err != nil {
			fmt.Fprint(e.err, e.t("no_qr", f, err))
			code = 1
			continue
		}
		fmt.Fprintf(e.out, "%s: ", f)
		r := d.Scan(ctx, text)
		e.show(r, color)
	}
	if d.Status().Queue > 0 && d.Online() {
		sctx, c := context.WithTimeout(ctx, 10*time.Second)
		d.Sync(sctx)
		c()
	}
	return code
}

func (e *env) decode(args []string) int {
	fs := e.flags("decode")
	pos, err := parse(fs, args)
	if err != nil {
		return 2
	}
	code := 0
	for _, f := range pos {
		raw, err := os.ReadFile(f)
		if err == nil {
			var text string
			if text, err = qr.DecodeBytes(raw); err == nil {
				if len(pos) > 1 {
					fmt.Fprintf(e.out, "%s: ", f)
				}
				fmt.Fprintln(e.out, text)
				continue
			}
		}
		fmt.Fprint(e.err, e.t("no_qr", f, err))
		code = 1
	}
	return code
}

func (e *env) sync(ctx context.Context, args []string) int {
	fs := e.flags("sync")
	_, err := parse(fs, args)
	if err != nil {
		return 2
	}
	d, err := e.open(device.Options{})
	if err != nil {
		return e.fail(err)
	}
	defer d.Store().Close()
	before := d.Status().Queue
	rep, err := d.Sync(ctx)
	if err != nil {
		if errors.Is(err, device.ErrRevoked) || d.Revoked() {
			return e.fail(device.ErrRevoked)
		}
		fmt.Fprint(e.err, e.t("sync_failed", rep.Uploaded, before, err))
		return 1
	}
	fmt.Fprint(e.out, e.t("synced", rep.Uploaded, rep.Duplicates, rep.Changed, rep.Roster))
	return 0
}

func (e *env) status(ctx context.Context, args []string) int {
	fs := e.flags("status")
	_, err := parse(fs, args)
	if err != nil {
		return 2
	}
	d, err := e.open(device.Options{})
	if err != nil {
		return e.fail(err)
	}
	defer d.Store().Close()
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	perr := d.Ping(pctx)
	cancel()
	if d.Revoked() {
		return e.fail(device.ErrRevoked)
	}
	s := d.Status()
	online := e.t("yes")
	if perr != nil {
		online = e.t("no")
	}
	last := e.t("never")
	if !s.LastSync.IsZero() {
		last = s.LastSync.In(result.Paris).Format("02/01/2006 15:04:05")
	}
	act := strconv.FormatInt(s.Activity, 10)
	if a, ok := d.Store().Activity(s.Activity); ok {
		act += " — " + a.Title
	}
	fmt.Fprint(e.out, e.t("status", s.DeviceName, s.Server, online, act, s.Queue, last, s.Roster, s.Uploaded, len(s.Duplicates)))
	return 0
}

var messages = map[string]map[string]string{
	"fr": {
		"usage": `ofhub-scan — pointage des participants (lecteurs et postes de bureau)

  ofhub-scan register --server URL --site CODE --code IDENTIFIANT   enregistrer cet appareil
  ofhub-scan listen [--activity ID] [--online-timeout 1s]   lire les codes au clavier (une ligne par code)
  ofhub-scan scan FICHIER…             pointer les QR codes d'images
  ofhub-scan decode FICHIER…           afficher le texte des QR codes
  ofhub-scan sync                      envoyer les pointages, mettre à jour la liste
  ofhub-scan status                    état de l'appareil
  ofhub-scan help                      cette aide

Options communes : --dir DOSSIER (défaut $OFHUB_SCAN_DIR ou ~/.ofhub-scan), --lang fr|en, -v
listen et scan : --online-timeout DURÉE, attente du serveur avant de décider hors ligne (défaut 1s)
`,
		"bad_timeout":     "--online-timeout %v : la durée doit être positive",
		"unknown_command": "commande inconnue : %s\n\n",
		"register_usage":  "usage : ofhub-scan register --server URL --site CODE --code IDENTIFIANT\n",
		"registered":      "Appareil enregistré : %s — %d activité(s) :\n",
		"roster":          "Liste des inscrits téléchargée : %d inscription(s).\n",
		"not_registered":  "appareil non enregistré : lancez d'abord « ofhub-scan register »",
		"locked":          "les données de %s sont utilisées par un autre ofhub-scan",
		"error":           "Erreur : %v",
		"listening":       "Prêt : %s (%d). Scannez les billets.\n",
		"offline_tag":     "  (hors ligne)",
		"repeat_tag":      "  (déjà lu)",
		"no_qr":           "%s : aucun QR code lisible (%v)\n",
		"sync_failed":     "Synchronisation interrompue : %d/%d pointage(s) envoyé(s) : %v\n",
		"synced":          "Synchronisé : %d pointage(s) envoyé(s), %d doublon(s), %d inscription(s) mise(s) à jour, %d dans la liste.\n",
		"yes":             "oui",
		"no":              "non",
		"never":           "jamais",
		"status": `Appareil : %s
Serveur : %s
En ligne : %s
Activité : %s
Pointages en attente : %d
Dernière synchronisation : %s
Inscriptions dans la liste : %d
Pointages envoyés : %d (doublons signalés : %d)
`,
	},
	"en": {
		"usage": `ofhub-scan — participant check-in (handheld scanners and desktops)

  ofhub-scan register --server URL --site CODE --code IDCODE   register this device
  ofhub-scan listen [--activity ID] [--online-timeout 1s]   read codes typed by a scanner (one per line)
  ofhub-scan scan FILE…                check in the QR codes of images
  ofhub-scan decode FILE…              print the text of QR codes
  ofhub-scan sync                      upload check-ins, update the roster
  ofhub-scan status                    device status
  ofhub-scan help                      this help

Common flags: --dir DIR (default $OFHUB_SCAN_DIR or ~/.ofhub-scan), --lang fr|en, -v
listen and scan: --online-timeout DURATION, how long to wait for the server before deciding offline (default 1s)
`,
		"bad_timeout":     "--online-timeout %v: the duration must be positive",
		"unknown_command": "unknown command: %s\n\n",
		"register_usage":  "usage: ofhub-scan register --server URL --site CODE --code IDCODE\n",
		"registered":      "Device registered: %s — %d activity(ies):\n",
		"roster":          "Roster downloaded: %d registration(s).\n",
		"not_registered":  "device not registered: run « ofhub-scan register » first",
		"locked":          "the data in %s is in use by another ofhub-scan",
		"error":           "Error: %v",
		"listening":       "Ready: %s (%d). Scan the tickets.\n",
		"offline_tag":     "  (offline)",
		"repeat_tag":      "  (repeat)",
		"no_qr":           "%s: no readable QR code (%v)\n",
		"sync_failed":     "Sync interrupted: %d/%d check-in(s) sent: %v\n",
		"synced":          "Synced: %d check-in(s) sent, %d duplicate(s), %d registration(s) updated, %d in the roster.\n",
		"yes":             "yes",
		"no":              "no",
		"never":           "never",
		"status": `Device: %s
Server: %s
Online: %s
Activity: %s
Queued check-ins: %d
Last sync: %s
Registrations in the roster: %d
Check-ins sent: %d (duplicates reported: %d)
`,
	},
}
