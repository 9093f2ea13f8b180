// Command loadtest measures the cabinet's HTTP API against a bare net/http
// handler, all on loopback in one process, and prints a report:
//
//	go run ./examples/loadtest [-duration 10s] [-concurrency 32] [-signins 2000] [-json]
//
// It starts a cabinet on a temporary SQLite file (dev outbox for SMS and
// e-mail, sign-in rate limits relaxed) behind a real http.Server, and a bare
// handler returning a tiny JSON body on another. It then measures, one after
// the other: the bare handler for -duration; sign-ins (request a code, read it
// from the dev outbox, verify it) for distinct identifiers until -signins are
// done or -duration passes; and GET /api/v1/me with the tokens so obtained for
// -duration. Everything stops by itself and the temporary files are removed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// meTarget is the share of the bare handler's throughput GET /api/v1/me
// should reach.
const meTarget = 0.40

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	duration    time.Duration
	concurrency int
	signins     int
	synchronous string
	json        bool
	cpuProfile  string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to load the bare handler and GET /api/v1/me (also caps the sign-ins)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent keep-alive clients")
	fs.IntVar(&o.signins, "signins", 2000, "sign-ins to perform (code + verify), each for a new identifier")
	fs.StringVar(&o.synchronous, "synchronous", "full", "SQLite synchronous level: full or normal")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	switch {
	case fs.NArg() > 0:
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.duration <= 0 || o.duration > time.Hour:
		return options{}, fmt.Errorf("-duration %s: want more than 0 and at most 1h", o.duration)
	case o.concurrency < 1 || o.concurrency > 4096:
		return options{}, fmt.Errorf("-concurrency %d: want 1 to 4096", o.concurrency)
	case o.signins < 1 || o.signins > 1_000_000:
		return options{}, fmt.Errorf("-signins %d: want 1 to 1000000", o.signins)
	case o.synchronous != "full" && o.synchronous != "normal":
		return options{}, fmt.Errorf("-synchronous %q: want full or normal", o.synchronous)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "kabinet-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	level := sqlite.SynchronousFull
	if o.synchronous == "normal" {
		level = sqlite.SynchronousNormal
	}
	tb, err := startTestbed(ctx, filepath.Join(dir, "load.db"), level)
	if err != nil {
		return err
	}
	defer tb.close()

	client := newClient(o.concurrency)
	defer client.CloseIdleConnections()
	progress := func(s string) {
		if !o.json {
			fmt.Fprintln(stderr, s)
		}
	}

	progress(fmt.Sprintf("loadtest: bare handler, %d clients, %s…", o.concurrency, o.duration))
	bare := loadBare(ctx, client, tb.bareURL, o.concurrency, o.duration, 0)
	progress(fmt.Sprintf("loadtest: %d sign-ins, %d clients…", o.signins, o.concurrency))
	signIns, tokens := loadSignIns(ctx, client, tb, o.concurrency, o.duration, o.signins)
	if len(tokens) == 0 {
		return fmt.Errorf("no sign-in succeeded: %s", signIns.FirstError)
	}
	progress(fmt.Sprintf("loadtest: GET /api/v1/me, %d clients, %s…", o.concurrency, o.duration))
	me := loadMe(ctx, client, tb.apiURL, tokens, o.concurrency, o.duration, 0)
	if err := ctx.Err(); err != nil {
		return err
	}

	rep := newReport(o, args, bare, signIns, me)
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.writeText(stdout)
	}
	if err != nil {
		return err
	}
	if n := bare.Errors + signIns.Errors + me.Errors; n > 0 {
		return fmt.Errorf("%d operations failed (see the report)", n)
	}
	return nil
}

// testbed is the two servers under test.
type testbed struct {
	apiURL  string // the cabinet, "http://127.0.0.1:port"
	bareURL string // the bare handler's full URL
	outbox  *notify.DevOutbox
	close   func()
}

// startTestbed opens the store at path, wires a cabinet with the dev outbox
// and relaxed limits, and serves it and the bare handler on loopback.
func startTestbed(ctx context.Context, path string, level sqlite.Synchronous) (*testbed, error) {
	st, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(level))
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		st.Close()
		return nil, err
	}
	outbox := notify.NewDevOutbox(0, nil)
	cab, err := cabinet.New(cabinet.Config{
		Store: st, Secret: secret, SMS: outbox, Mail: outbox, ClinicName: "Load test clinic",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// Every client comes from 127.0.0.1: per-IP and per-identifier caps
		// would stop the test, not measure it. FailuresPerDay stays at its
		// default: a negative value refuses every code (see the report).
		Auth: auth.Config{
			CodesPerHour: -1, CodesPerDay: -1, SendsPerIPPerHour: -1, VerifiesPerIPPerHour: -1, SMSPerHour: -1,
		},
	})
	if err != nil {
		st.Close()
		return nil, err
	}

	api, err := serve(cab.Handler())
	if err != nil {
		st.Close()
		return nil, err
	}
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	}))
	if err != nil {
		api.close()
		st.Close()
		return nil, err
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = cab.Run(runCtx) }()

	return &testbed{
		apiURL:  api.url,
		bareURL: bare.url + "/",
		outbox:  outbox,
		close: func() {
			bare.close()
			api.close()
			stopRun()
			<-runDone
			st.Close()
		},
	}, nil
}

// server is an http.Server on 127.0.0.1:0.
type server struct {
	url   string
	close func()
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	return &server{url: "http://" + ln.Addr().String(), close: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}}, nil
}

// newClient returns a client that keeps a connection per worker alive.
func newClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback only, whatever HTTP_PROXY says
	tr.MaxIdleConns = concurrency * 2
	tr.MaxIdleConnsPerHost = concurrency * 2
	tr.DisableCompression = true
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// result is what one measurement found.
type result struct {
	Name       string  `json:"name"`
	Requests   int     `json:"requests"` // operations completed without error
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
}

// load runs op from concurrency workers until count operations have started
// (when count > 0) or d has passed, whichever comes first, or ctx ends. An
// operation under way when d passes is allowed to finish (it is not
// cancelled, so the server never sees a half-done request). op gets the
// operation's index and the worker's number.
func load(ctx context.Context, name string, concurrency int, d time.Duration, count int, op func(ctx context.Context, i, worker int) error) result {
	var (
		next     atomic.Int64
		errCount atomic.Int64
		firstErr atomic.Pointer[string]
		wg       sync.WaitGroup
	)
	lat := make([][]time.Duration, concurrency)
	begin := time.Now()
	deadline := begin.Add(d)
	for w := range concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if count > 0 && i >= count {
					return
				}
				t0 := time.Now()
				err := op(ctx, i, w)
				took := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return // interrupted: neither a result nor an error
					}
					errCount.Add(1)
					msg := err.Error()
					firstErr.CompareAndSwap(nil, &msg)
					continue
				}
				lat[w] = append(lat[w], took)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)

	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{Name: name, Requests: len(all), Errors: int(errCount.Load()), Seconds: elapsed.Seconds()}
	if p := firstErr.Load(); p != nil {
		r.FirstError = *p
	}
	if elapsed > 0 {
		r.PerSecond = float64(len(all)) / elapsed.Seconds()
	}
	r.P50ms, r.P99ms = ms(percentile(all, 0.50)), ms(percentile(all, 0.99))
	return r
}

// percentile returns the p-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadBare loads the bare handler.
func loadBare(ctx context.Context, c *http.Client, url string, concurrency int, d time.Duration, count int) result {
	return load(ctx, "bare net/http handler", concurrency, d, count, func(ctx context.Context, _, _ int) error {
		return do(ctx, c, http.MethodGet, url, "", nil, http.StatusOK, nil)
	})
}

// loadMe loads GET /api/v1/me, each worker with its own token.
func loadMe(ctx context.Context, c *http.Client, apiURL string, tokens []string, concurrency int, d time.Duration, count int) result {
	return load(ctx, "GET /api/v1/me", concurrency, d, count, func(ctx context.Context, _, w int) error {
		return do(ctx, c, http.MethodGet, apiURL+"/api/v1/me", tokens[w%len(tokens)], nil, http.StatusOK, nil)
	})
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// loadSignIns signs in count distinct identifiers (e-mail addresses and
// Russian mobile numbers in turn) and returns the tokens it got.
func loadSignIns(ctx context.Context, c *http.Client, tb *testbed, concurrency int, d time.Duration, count int) (result, []string) {
	var (
		mu     sync.Mutex
		tokens []string
	)
	res := load(ctx, "sign-in (code + verify)", concurrency, d, count, func(ctx context.Context, i, _ int) error {
		identifier, to := fmt.Sprintf("load+%d@example.com", i), fmt.Sprintf("load+%d@example.com", i)
		if i%2 == 1 {
			n := fmt.Sprintf("%07d", i)
			identifier, to = "+7 912 "+n[:3]+"-"+n[3:5]+"-"+n[5:], "+7912"+n
		}
		var ticket struct {
			ChallengeID string `json:"challenge_id"`
		}
		if err := do(ctx, c, http.MethodPost, tb.apiURL+"/api/v1/auth/code", "",
			map[string]string{"identifier": identifier}, http.StatusAccepted, &ticket); err != nil {
			return fmt.Errorf("code: %w", err)
		}
		m, ok := tb.outbox.Last(to)
		if !ok {
			return fmt.Errorf("code: nothing in the dev outbox for %s", to)
		}
		code := sixDigits.FindString(m.Body)
		if code == "" {
			return errors.New("code: no 6-digit code in the message")
		}
		var signIn struct {
			Token string `json:"token"`
		}
		if err := do(ctx, c, http.MethodPost, tb.apiURL+"/api/v1/auth/verify", "",
			map[string]string{"challenge_id": ticket.ChallengeID, "code": code}, http.StatusOK, &signIn); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		mu.Lock()
		tokens = append(tokens, signIn.Token)
		mu.Unlock()
		return nil
	})
	return res, tokens
}

// do sends one request, reads the whole answer (so the connection is
// reused), checks the status and decodes JSON into out when not nil.
func do(ctx context.Context, c *http.Client, method, url, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.200s", method, req.URL.Path, resp.StatusCode, want, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// report is the command's output.
type report struct {
	Command      string  `json:"command"`
	GoVersion    string  `json:"go_version"`
	CPUs         int     `json:"cpus"`
	Concurrency  int     `json:"concurrency"`
	Duration     string  `json:"duration"`
	Synchronous  string  `json:"sqlite_synchronous"`
	Bare         result  `json:"bare"`
	SignIn       result  `json:"sign_in"`
	Me           result  `json:"me"`
	MeVsBare     float64 `json:"me_vs_bare"`
	SignInVsBare float64 `json:"sign_in_vs_bare"`
	MeTarget     float64 `json:"me_target"`
	MeTargetMet  bool    `json:"me_target_met"`
}

func newReport(o options, args []string, bare, signIn, me result) report {
	r := report{
		Command:     strings.Join(append([]string{"go run ./examples/loadtest"}, args...), " "),
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		Concurrency: o.concurrency,
		Duration:    o.duration.String(),
		Synchronous: o.synchronous,
		Bare:        bare, SignIn: signIn, Me: me,
		MeTarget: meTarget,
	}
	if bare.PerSecond > 0 {
		r.MeVsBare = me.PerSecond / bare.PerSecond
		r.SignInVsBare = signIn.PerSecond / bare.PerSecond
	}
	r.MeTargetMet = r.MeVsBare >= meTarget
	return r
}

func (r report) writeText(w io.Writer) error {
	fmt.Fprintf(w, "$ %s\n", r.Command)
	fmt.Fprintf(w, "%s, %d CPUs, %d concurrent keep-alive clients on loopback, SQLite synchronous=%s\n\n",
		r.GoVersion, r.CPUs, r.Concurrency, r.Synchronous)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tdone\terrors\tseconds\tper second\tp50 ms\tp99 ms\tvs bare\t")
	for _, x := range []struct {
		res   result
		ratio string
	}{
		{r.Bare, "1.00"},
		{r.SignIn, fmt.Sprintf("%.3f", r.SignInVsBare)},
		{r.Me, fmt.Sprintf("%.2f", r.MeVsBare)},
	} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%s\t\n",
			x.res.Name, x.res.Requests, x.res.Errors, x.res.Seconds, x.res.PerSecond, x.res.P50ms, x.res.P99ms, x.ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "met"
	if !r.MeTargetMet {
		verdict = "NOT met"
	}
	fmt.Fprintf(w, "\ntarget: GET /api/v1/me >= %.0f%% of the bare handler's requests/s: %s (%.0f%%)\n",
		r.MeTarget*100, verdict, r.MeVsBare*100)
	for _, x := range []result{r.Bare, r.SignIn, r.Me} {
		if x.FirstError != "" {
			fmt.Fprintf(w, "first error in %s: %s\n", x.Name, x.FirstError)
		}
	}
	return nil
}
