package cli

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/store"
)

// env is what every command shares: streams, configuration and the store.
type env struct {
	io  *IO
	cfg *viper.Viper
	ctx context.Context
}

func (e *env) json() bool    { return e.cfg.GetBool("json") }
func (e *env) quiet() bool   { return e.cfg.GetBool("quiet") }
func (e *env) verbose() bool { return e.cfg.GetInt("verbose") > 0 }

// say prints a summary line on stderr unless --quiet.
func (e *env) say(format string, args ...any) {
	if !e.quiet() {
		fmt.Fprintf(e.io.Err, format+"\n", args...)
	}
}

// openStore opens the store named by --db / PADRON_DB / padron.yaml.
func (e *env) openStore() (*store.Store, error) {
	path := e.cfg.GetString("db")
	if path == "" {
		return nil, usageError("no store: set --db FILE or PADRON_DB")
	}
	st, err := store.Open(e.ctx, path)
	if err != nil {
		return nil, err
	}
	rules, err := e.goldenRules()
	if err == nil {
		err = st.SetGoldenRules(rules)
	}
	if err != nil {
		st.Close()
		return nil, usageError("padron.yaml: %v", err)
	}
	return st, nil
}

// goldenRules reads padron.yaml's golden: section, field by field, either a rule
// ("email: most_recent") or a rule with its sources
// ("given_name: {rule: source_priority, sources: [bank, darczyncy.csv]}").
func (e *env) goldenRules() (map[string]store.GoldenRule, error) {
	raw := e.cfg.GetStringMap("golden")
	if len(raw) == 0 {
		return nil, nil
	}
	out := map[string]store.GoldenRule{}
	for field, v := range raw {
		switch x := v.(type) {
		case string:
			out[field] = store.GoldenRule{Rule: x}
		case map[string]any:
			r := store.GoldenRule{}
			r.Rule, _ = x["rule"].(string)
			if srcs, ok := x["sources"].([]any); ok {
				for _, s := range srcs {
					r.Sources = append(r.Sources, fmt.Sprint(s))
				}
			}
			out[field] = r
		default:
			return nil, fmt.Errorf("golden: %s: want a rule name or {rule: ..., sources: [...]}", field)
		}
	}
	return out, nil
}

// library loads the built-in mappings and the user's mapping folder.
func (e *env) library() (*mapping.Library, error) {
	return mapping.NewLibrary(mappings.FS, e.cfg.GetString("mappings"))
}

// exclusions are the donations.exclude rules of padron.yaml, compiled.
func (e *env) exclusions() ([]money.Rule, error) {
	var rules []money.Rule
	if err := e.cfg.UnmarshalKey("donations.exclude", &rules); err != nil {
		return nil, usageError("padron.yaml: donations.exclude: %v", err)
	}
	rules, err := money.Compile(rules)
	if err != nil {
		return nil, usageError("padron.yaml: %v", err)
	}
	return rules, nil
}

func (e *env) actor() string {
	if a := e.cfg.GetString("actor"); a != "" {
		return a
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

func newRoot(io *IO) *cobra.Command {
	e := &env{io: io, cfg: viper.New(), ctx: context.Background()}
	root := &cobra.Command{
		Use:   "padron",
		Short: "One clean list of the people your organisation works with",
		Long: `padron imports an organisation's contact spreadsheets, address books and bank files into
one lossless store, finds the people behind the duplicates, and produces clean lists,
reports and exports.

Configuration: flags win over environment variables (PADRON_DB, PADRON_DEFAULT_COUNTRY,
PADRON_MAPPINGS, PADRON_ACTOR, ...), which win over padron.yaml in the working folder
(or the file named with --config).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return e.loadConfig(cmd)
		},
	}
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		//lint:ignore ST1005 the usage hint is the message's last line, as cobra's own errors end
		return &exitError{code: ExitUsage, err: fmt.Errorf("%w\nSee '%s --help'.", err, c.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.String("db", "padron.duckdb", "store file")
	pf.String("config", "", "configuration file (default ./padron.yaml if present)")
	pf.Bool("json", false, "machine-readable output on stdout")
	pf.BoolP("quiet", "q", false, "print nothing on stderr but errors")
	pf.CountP("verbose", "v", "say more (repeat for more)")
	pf.String("actor", "", "name recorded in the log for changes (default: the OS user)")
	for _, name := range []string{"db", "json", "quiet", "verbose", "actor"} {
		_ = e.cfg.BindPFlag(name, pf.Lookup(name))
	}
	e.cfg.SetEnvPrefix("PADRON")
	e.cfg.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	e.cfg.AutomaticEnv()

	root.AddCommand(
		newImportCmd(e),
		newImportsCmd(e),
		newProblemsCmd(e),
		newRecordsCmd(e),
		newMappingCmd(e),
		newDemoCmd(e),
		newGenerateCmd(e),
		newVersionCmd(e),
		newDedupeCmd(e),
		newExplainCmd(e),
		newPeopleCmd(e),
		newPersonCmd(e),
		newExportCmd(e),
		newDonationsCmd(e),
		newMergeCmd(e),
		newUnmergeCmd(e),
		newLogCmd(e),
		newReviewCmd(e),
		newSegmentCmd(e),
		newReportCmd(e),
		newPushCmd(e),
		newPullCmd(e),
		newPushesCmd(e),
		newOptOutCmd(e),
		newOptInCmd(e),
		newForgetCmd(e),
		newBackupCmd(e),
		newRestoreCmd(e),
	)
	return root
}

// loadConfig reads padron.yaml (or --config) beneath flags and environment.
func (e *env) loadConfig(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv("PADRON_CONFIG")
	}
	explicit := path != ""
	if !explicit {
		path = "padron.yaml"
	}
	if _, err := os.Stat(path); err != nil {
		if explicit {
			return usageError("config file %s: %w", path, err)
		}
		return nil
	}
	e.cfg.SetConfigFile(path)
	e.cfg.SetConfigType("yaml")
	if err := e.cfg.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	e.warnOpenSecrets(path)
	// Relative paths in the config file are relative to the file, not the working folder.
	dir := filepath.Dir(path)
	for _, key := range []string{"db", "mappings"} {
		if v := e.cfg.GetString(key); v != "" && !filepath.IsAbs(v) && e.cfg.InConfig(key) && !cmd.Flags().Changed(key) && os.Getenv("PADRON_"+strings.ToUpper(key)) == "" {
			e.cfg.Set(key, filepath.Join(dir, v))
		}
	}
	return nil
}

// warnOpenSecrets warns when the config file holds a secret (an API key, a password,
// a token) and others than its owner may read it, as ssh does for keys: the file is
// written by the user, so padron says so rather than changing it.
func (e *env) warnOpenSecrets(path string) {
	fi, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	var secrets []string
	for _, k := range e.cfg.AllKeys() {
		last := k[strings.LastIndexByte(k, '.')+1:]
		if e.cfg.InConfig(k) && e.cfg.GetString(k) != "" &&
			(strings.Contains(last, "key") || strings.Contains(last, "password") || strings.Contains(last, "token") || strings.Contains(last, "secret")) {
			secrets = append(secrets, k)
		}
	}
	if len(secrets) == 0 {
		return
	}
	sort.Strings(secrets)
	fmt.Fprintf(e.io.Err, "padron: warning: %s holds %s and others may read it (mode %04o): chmod 600 %s, or set them in the environment\n",
		path, strings.Join(secrets, ", "), fi.Mode().Perm(), path)
}

func isFlagError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires at least")
}
