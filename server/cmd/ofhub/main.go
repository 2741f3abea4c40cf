// Command ofhub is the ofhub server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without zoneinfo

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/app"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/config"
	"github.com/ofhub/ofhub/server/db"
	"github.com/ofhub/ofhub/server/demo"
)

type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string) error
}

// The configuration flags each kind of command takes (config.Load's
// names); serve takes them all.
var (
	dbFlags   = []string{"data-dir", "database-url", "log-level"}
	demoFlags = append([]string{"base-url"}, dbFlags...)
)

var commands []command

func init() {
	commands = []command{
		{"serve", "[--addr 127.0.0.1:8080] [--data-dir DIR] [--database-url URL] [--demo]", "start the server (applies pending migrations first)", serve},
		{"migrate", "[--data-dir DIR] [--database-url URL]", "apply pending database migrations and exit", migrate},
		{"demo", "[--data-dir DIR] [--database-url URL]", "load the demo data set into an empty database and print the logins", loadDemo},
		{"user add", "--email E --password P [--first-name F] [--last-name L] [--operator] [--data-dir DIR] [--database-url URL]", "create a user (the first operator of a new database)", userAdd},
		{"import francecompetences", "<zip> [--data-dir DIR] [--database-url URL]", "import the certifications (RNCP / RS), skill blocks and accreditations of a France compétences CSV export zip", importFranceCompetences},
		{"import lheo-dicts", "[DIR] [--data-dir DIR] [--database-url URL]", "load the LHEO 2.3 code tables (embedded, or DIR/lheo-2.3-dicts.csv) and the local code lists", importLHEODicts},
		{"help", "[COMMAND]", "show this help, or the flags of one command", help},
	}
}

// helpOut receives a command's -h text: stderr as the flag package does,
// stdout under `ofhub help COMMAND`, which asked for it.
var helpOut io.Writer = os.Stderr

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ofhub:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage(os.Stdout)
		return nil
	}
	if c, ok := find(args); ok {
		return c.run(ctx, args[len(strings.Fields(c.name)):])
	}
	name := strings.Join(args, " ")
	if g := group(args[0]); len(g) > 0 {
		// `ofhub import`, `ofhub import nothing`: list the group's commands.
		list(os.Stderr, g)
		return fmt.Errorf("unknown command %q: choose one of the %s commands above", name, args[0])
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", name)
}

// find returns the command args start with.
func find(args []string) (command, bool) {
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, true
		}
	}
	return command{}, false
}

// group returns the commands of several words whose first word is w
// ("import": import francecompetences, import lheo-dicts).
func group(w string) []command {
	var g []command
	for _, c := range commands {
		if strings.HasPrefix(c.name, w+" ") {
			g = append(g, c)
		}
	}
	return g
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ofhub — back office of vocational training: catalogue, contacts, registrations, check-in.")
	fmt.Fprintln(w, "\nUsage: ofhub COMMAND [flags]\n\nCommands:")
	list(w, commands)
	fmt.Fprintln(w, "\nEvery flag has an environment variable (see `ofhub help serve`); flags win.")
}

func list(w io.Writer, cs []command) {
	width := 0
	for _, c := range cs {
		width = max(width, len(c.name))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %-*s  %s\n  %-*s  ofhub %s %s\n", width, c.name, c.help, width, "", c.name, c.args)
	}
}

func help(_ context.Context, args []string) error {
	if len(args) == 0 {
		usage(os.Stdout)
		return nil
	}
	name := strings.Join(args, " ")
	if c, ok := find(args); ok && c.name == name {
		if c.name == "help" {
			list(os.Stdout, []command{c})
			return nil
		}
		helpOut = os.Stdout
		return c.run(context.Background(), []string{"-h"})
	}
	if g := group(name); len(g) > 0 {
		list(os.Stdout, g)
		return nil
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", name)
}

func setupLog(level string) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
}

// load reads the configuration of the command name: the environment, then
// its flags — extra's and the configuration's in names (all when none).
func load(name string, args []string, extra func(*flag.FlagSet), names ...string) (*config.Config, error) {
	fs := flag.NewFlagSet("ofhub "+name, flag.ContinueOnError)
	fs.SetOutput(helpOut)
	fs.Usage = func() {
		c, _ := find(strings.Fields(name))
		fmt.Fprintf(fs.Output(), "Usage: ofhub %s %s\n  %s\n\nFlags (each also read from the environment variable named):\n", c.name, c.args, c.help)
		fs.PrintDefaults()
	}
	if extra != nil {
		extra(fs)
	}
	cfg, err := config.Load(fs, args, names...)
	if err != nil {
		return nil, err
	}
	setupLog(cfg.LogLevel)
	return cfg, nil
}

// open reads the command's configuration and opens the application
// (database, migrations, services); close it with a.Close.
func open(ctx context.Context, name string, args []string, extra func(*flag.FlagSet), names ...string) (*config.Config, *app.App, error) {
	cfg, err := load(name, args, extra, names...)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, a, nil
}

func serve(ctx context.Context, args []string) error {
	cfg, err := load("serve", args, nil)
	if err != nil {
		return err
	}
	// Listen before anything slow (migrations, the demo data): a busy port
	// is told at once, not after a minute of loading.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	empty, err := demo.Empty(ctx, a.Client)
	if err != nil {
		return err
	}
	fresh := cfg.Demo && empty
	if fresh {
		// Another instance started with --demo may have loaded it
		// meanwhile: then this one goes on with its data.
		if err := loadDemoData(ctx, a); errors.Is(err, demo.ErrNotEmpty) {
			fresh = false
		} else if err != nil {
			return err
		}
	}
	// The demo's logins and device codes, each start while they are there.
	shown, err := demo.PrintBanner(ctx, os.Stdout, a.Client, cfg.BaseURL, fresh)
	if err != nil {
		return err
	}
	if !shown && cfg.Demo {
		fmt.Printf("\nLa base contient déjà des données : la démonstration ne se charge que dans une base vide (--data-dir ou DATABASE_URL).\n\n")
	} else if empty && !cfg.Demo {
		fmt.Printf("\nBase vide : créez le premier opérateur avec\n  ofhub user add --email vous@exemple.fr --password '…' --operator\nou chargez la démonstration avec `ofhub demo`.\n\n")
	}
	a.StartJobs()
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		// Metrics on their own address (OFHUB_METRICS_ADDR), e.g. one only
		// the monitoring network reaches; the main address does not serve them.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			srv.Close()
			return fmt.Errorf("listen on %s (OFHUB_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		msrv := &http.Server{Handler: a.Metrics, ReadHeaderTimeout: 10 * time.Second}
		defer msrv.Close()
		go func() { errc <- msrv.Serve(mln) }()
		slog.Info("metrics listening", "addr", mln.Addr().String())
	}
	slog.Info("ofhub listening", "addr", ln.Addr().String(), "graphql", cfg.BaseURL+"/graphql", "graphiql", cfg.BaseURL+"/graphiql")
	fmt.Printf("ofhub écoute sur http://%s — API : /graphql, GraphiQL : /graphiql\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// listen opens the server's address; a busy one names the setting to change.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("l'adresse %s est déjà utilisée (un autre ofhub tourne-t-il ?) : arrêtez-le, ou choisissez une autre adresse avec la variable OFHUB_ADDR (make run ADDR=127.0.0.1:8081) ou --addr : %w", addr, err)
	}
	if err != nil {
		return nil, fmt.Errorf("impossible d'écouter sur %s (variable OFHUB_ADDR ou --addr) : %w", addr, err)
	}
	return ln, nil
}

func migrate(ctx context.Context, args []string) error {
	cfg, err := load("migrate", args, nil, dbFlags...)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	done, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Println("La base est à jour : aucune migration à appliquer.")
	}
	for _, v := range done {
		fmt.Println("appliquée :", v)
	}
	return nil
}

func loadDemo(ctx context.Context, args []string) error {
	cfg, a, err := open(ctx, "demo", args, nil, demoFlags...)
	if err != nil {
		return err
	}
	defer a.Close()
	empty, err := demo.Empty(ctx, a.Client)
	if err != nil {
		return err
	}
	notEmpty := errors.New("la base contient déjà des utilisateurs : les données de démonstration ne se chargent que dans une base vide")
	if !empty {
		return notEmpty
	}
	if err := loadDemoData(ctx, a); errors.Is(err, demo.ErrNotEmpty) {
		return notEmpty
	} else if err != nil {
		return err
	}
	_, err = demo.PrintBanner(ctx, os.Stdout, a.Client, cfg.BaseURL, true)
	return err
}

// loadDemoData loads the demo data set: accounts, check-in open day, then the
// training offer through the catalogue service (a few seconds).
func loadDemoData(ctx context.Context, a *app.App) error {
	if err := demo.Load(ctx, a.Client, a.Auth); err != nil {
		return err
	}
	st, err := demo.Catalogue(ctx, a.Client, a.Offer)
	if err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	fmt.Printf("Catalogue de démonstration : %d formations, %d sessions (%d publiées, %d brouillons ou demandes en cours).\n",
		st.Trainings, st.Sessions, st.ByState["PUBLISHED"], st.Drafts)
	return nil
}

func userAdd(ctx context.Context, args []string) error {
	var email, password, first, last string
	var operator bool
	cfg, err := load("user add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "e-mail address, the login (required)")
		fs.StringVar(&password, "password", "", "password: 8 to 256 characters with an upper-case letter and a special character, no surrounding spaces, not a common password nor the user's name or e-mail (required)")
		fs.StringVar(&first, "first-name", "", "first name (default: from the e-mail)")
		fs.StringVar(&last, "last-name", "", "last name (default: from the e-mail)")
		fs.BoolVar(&operator, "operator", false, "make the user a platform operator")
	}, dbFlags...)
	if err != nil {
		return err
	}
	if email == "" || password == "" {
		return errors.New("--email et --password sont obligatoires")
	}
	local := strings.SplitN(email, "@", 2)[0]
	if first == "" {
		first = local
	}
	if last == "" {
		last = strings.ToUpper(local)
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(viewer.SystemContext(ctx), auth.NewUser{Email: email, FirstName: first, LastName: last}, nil, password, operator)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			return fmt.Errorf("%s : %s", e.Field, e.Message("fr"))
		}
		return err
	}
	role := "utilisateur"
	if u.Operator {
		role = "opérateur"
	}
	fmt.Printf("Compte %s créé (%s, id %d).\n", u.Email, role, u.ID)
	return nil
}

// positional splits a command's leading positional arguments from its flags.
func positional(args []string) (pos, flags []string) {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			return args[:i], args[i:]
		}
	}
	return args, nil
}

func importFranceCompetences(ctx context.Context, args []string) error {
	pos, flags := positional(args)
	cfg, err := load("import francecompetences", flags, nil, dbFlags...)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage : ofhub import francecompetences <export-fiches-csv-AAAA-MM-JJ.zip>")
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := catalogue.ImportFranceCompetences(ctx, a.Client, pos[0], nil, os.Stderr)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	return err
}

func importLHEODicts(ctx context.Context, args []string) error {
	pos, flags := positional(args)
	cfg, err := load("import lheo-dicts", flags, nil, dbFlags...)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errors.New("usage : ofhub import lheo-dicts [DIR]")
	}
	dir := ""
	if len(pos) == 1 {
		dir = pos[0]
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := catalogue.ImportLHEODicts(ctx, a.Client, dir)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	return err
}
