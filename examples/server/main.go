// Command server is the Kabinet example server: the cabinet's JSON API over
// SQLite on net/http, configured by flags and environment variables, with a
// demo clinic and, when no SMS or e-mail provider is configured, a dev outbox
// where sign-in codes can be read.
//
//	go run ./examples/server          # http://127.0.0.1:8080, dev mode
//	go run ./examples/server -help    # every flag and variable
package main

import (
	"context"
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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // branch time zones work on machines without a zoneinfo database

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/cabinet/web"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/webpush"
)

// Time limits of the HTTP server.
const (
	shutdownTimeout   = 15 * time.Second
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	healthTimeout     = 3 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal a second one ends the process at once, should
	// draining take too long for the operator's taste.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "kabinet:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx is done, then drains in-flight
// requests, stops the background work and closes the store. It returns nil
// after a clean shutdown. ready, when not nil, is called with the listening
// address (host:port) once requests are accepted.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(addr string)) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	// Senders first: whether the server is in dev mode decides whether it
	// may listen on cfg.addr at all, before anything is opened.
	var (
		outbox      *notify.DevOutbox
		devChannels []string
		sms         notify.SMSSender
		mail        notify.MailSender
	)
	if cfg.sms != nil {
		if sms, err = cfg.sms.sender(); err != nil {
			return err
		}
	}
	if cfg.smtp != nil {
		if mail, err = notify.NewSMTP(*cfg.smtp); err != nil {
			return fmt.Errorf("KABINET_SMTP_*: %w", err)
		}
	}
	if sms == nil || mail == nil {
		outbox = notify.NewDevOutbox(0, nil)
		if sms == nil {
			sms, devChannels = outbox, append(devChannels, "sms")
		}
		if mail == nil {
			mail, devChannels = outbox, append(devChannels, "email")
		}
		if !isLoopback(cfg.addr) {
			return fmt.Errorf("dev mode (no provider for %s) refuses to listen on -addr %q, which is not a loopback address: "+
				"sign-in codes would be shown to anyone who can reach /dev/outbox. Configure %s, or listen on 127.0.0.1, ::1 or localhost",
				strings.Join(devChannels, " and "), cfg.addr, providersHint(devChannels))
		}
		if len(cfg.trustedProxies) > 0 || cfg.secureCookies {
			// -trusted-proxies or -secure-cookies mean a reverse proxy in front:
			// the loopback address would then be reachable from anywhere.
			return fmt.Errorf("dev mode (no provider for %s) refuses to run behind a proxy (-trusted-proxies or -secure-cookies is set): "+
				"sign-in codes would be shown to anyone who can reach /dev/outbox. Configure %s",
				strings.Join(devChannels, " and "), providersHint(devChannels))
		}
	}

	secret := cfg.secret
	if secret == nil {
		var (
			path    string
			created bool
		)
		if secret, path, created, err = loadSecret(cfg.data); err != nil {
			return err
		}
		if created {
			log.Info("kabinet: created a new secret key; keep it with the database", "path", path)
		}
	}

	// Web Push: real with a subject, into the dev outbox in dev mode, else
	// off. The key pair is needed either way: browsers subscribe with it.
	var (
		push      notify.PushSender
		vapidKey  string // the public key, handed to browsers
		pushState = "off"
	)
	if cfg.vapidSubject != "" || outbox != nil {
		keys := cfg.vapid
		if keys == nil {
			loaded, path, created, err := loadVAPIDKeys(cfg.data)
			if err != nil {
				return err
			}
			if created {
				log.Info("kabinet: created a new VAPID key pair for Web Push; keep it with the database (browsers' push subscriptions are bound to it)",
					"path", path)
			}
			keys = &loaded
		}
		if cfg.vapidSubject != "" {
			wp, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, Subscriber: cfg.vapidSubject})
			if err != nil {
				return fmt.Errorf("web push: %w", err)
			}
			push, vapidKey, pushState = wp, wp.PublicKey(), "webpush"
		} else {
			push, vapidKey, pushState = outbox, keys.Public, "dev outbox"
		}
	}

	st, closeFn, err := openStore(ctx, cfg.db, log) // a SQLite file is created 0600
	if err != nil {
		return err
	}
	closeStore := sync.OnceValue(closeFn)
	defer closeStore()

	var aftercare map[string][]cabinet.FollowUp
	if cfg.demo {
		aftercare = demoAftercare()
	}
	// Photo files live under the data directory, private to this process.
	blobs, err := card.NewDiskBlobs(filepath.Join(cfg.data, "photos"))
	if err != nil {
		return fmt.Errorf("-data: %w", err)
	}
	cab, err := cabinet.New(cabinet.Config{
		Store:          st,
		Blobs:          blobs,
		Secret:         secret,
		SMS:            sms,
		Mail:           mail,
		Push:           push,
		VAPIDPublicKey: vapidKey,
		PublicURL:      cfg.publicURL,
		Aftercare:      aftercare,
		ClinicName:     cfg.clinic,
		Logger:         log,
		Auth:           authConfig(cfg, outbox != nil),
		HTTP:           cabinet.HTTPConfig{TrustedProxies: cfg.trustedProxies, SecureCookies: cfg.secureCookies},
		Web:            &web.Config{DefaultLang: cfg.lang, Accent: cfg.accent},
	})
	if err != nil {
		return err
	}

	if cfg.demo {
		branchZone, _ := time.LoadLocation("Europe/Moscow") // the demo clinic's zone
		loaded, err := loadDemo(ctx, cab.Auth(), st, st, booking.DateOf(time.Now(), branchZone))
		if err != nil {
			return err
		}
		if loaded {
			log.Info("kabinet: loaded the demo clinic: 2 branches, 6 specialists, 12 services, working plans for 60 days",
				"staff", strings.Join([]string{demoOwner, demoSpecialist, demoManager}, ", "))
		}
		if loaded, err := loadDemoProducts(ctx, st, []string{demoBranchCenter, demoBranchWest}); err != nil {
			return err
		} else if loaded {
			log.Info("kabinet: loaded the demo products: 20 cosmetics with stock in both branches")
		}
	}
	if cfg.admin != "" {
		if _, err := cab.Auth().Bootstrap(ctx, cfg.admin); err != nil {
			return fmt.Errorf("-admin: %w", err)
		}
		log.Info("kabinet: the -admin account is an admin") // the identifier is personal data: not logged
	}

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthHandler(cab.Ping))
	if outbox != nil {
		mux.Handle("GET /dev/outbox", localOnly(outbox.JSONHandler()))
		mux.Handle("GET /dev/outbox.html", localOnly(outbox.HTMLHandler()))
	}
	mux.Handle("/", cab.Handler()) // the API under /api/v1, the web cabinet everywhere else

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	// The background work gets its own context: it stops after the last
	// request has drained, not when the signal arrives.
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan error, 1)
	go func() { runDone <- cab.Run(runCtx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	url := "http://" + addr
	smsState := "dev outbox"
	if cfg.sms != nil {
		smsState = cfg.sms.name
	}
	if push == nil {
		log.Info("kabinet: Web Push is off; to turn it on, set -vapid-subject (KABINET_VAPID_SUBJECT) to a contact " +
			"for the push services, e.g. mailto:admin@clinic.example")
	}
	if outbox != nil {
		kept := devChannels
		if pushState == "dev outbox" {
			kept = append(slices.Clone(kept), "push")
		}
		log.Warn("kabinet: DEV MODE: "+joinAnd(kept)+" messages are not sent but kept in memory; "+
			"configure "+providersHint(kept)+" to send them", "channels", strings.Join(kept, ","))
		log.Info("kabinet: listening on "+url+"; dev mode: codes are not sent; read them at "+url+"/dev/outbox.html",
			"url", url, "dev_mode", true, "sms", smsState, "push", pushState)
	} else {
		log.Info("kabinet: listening on "+url+"; codes are sent by SMS and e-mail", "url", url, "dev_mode", false,
			"sms", smsState, "push", pushState)
	}
	if ready != nil {
		ready(addr)
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("kabinet: shutting down, draining requests", "timeout", shutdownTimeout)
	case serveErr = <-serveDone:
		serveErr = fmt.Errorf("serve: %w", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	var shutErr error
	if err := srv.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		// A request still running after the drain (a slow upload) is cut off:
		// the stop itself went as asked.
		log.Warn("kabinet: requests still running after the drain timeout were closed", "timeout", shutdownTimeout)
		_ = srv.Close()
	} else if err != nil {
		shutErr = fmt.Errorf("shutdown: %w", err)
		_ = srv.Close()
	}
	stopRun()
	runErr := <-runDone
	if err := errors.Join(serveErr, shutErr, runErr, closeStore()); err != nil {
		return err
	}
	log.Info("kabinet: stopped")
	return nil
}

// providersHint tells an operator how to give the channels kept in the dev
// outbox (sms, email, push) a provider.
func providersHint(devChannels []string) string {
	var hints []string
	for _, ch := range devChannels {
		switch ch {
		case "sms":
			hints = append(hints, "an SMS provider ("+smsProvidersHint+")")
		case "email":
			hints = append(hints, "SMTP (KABINET_SMTP_HOST…)")
		case "push":
			hints = append(hints, "-vapid-subject (KABINET_VAPID_SUBJECT) for Web Push")
		}
	}
	return joinAnd(hints)
}

// healthHandler answers 200 {"status":"ok"} when the store answers, else 503.
func healthHandler(ping func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		status, body := http.StatusOK, map[string]string{"status": "ok"}
		if err := ping(ctx); err != nil {
			status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable"}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

// authConfig tunes sign-in. In dev mode every client is 127.0.0.1, so the
// per-IP caps would lock a developer out for an hour after 30 codes; they are
// raised there (dev mode never faces the internet).
func authConfig(cfg config, dev bool) auth.Config {
	c := auth.Config{DefaultRegion: cfg.region, AllowedRegions: cfg.smsCountries}
	if dev {
		c.SendsPerIPPerHour, c.VerifiesPerIPPerHour = 1000, 5000
	}
	return c
}
