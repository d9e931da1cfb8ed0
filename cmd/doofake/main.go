// Command doofake serves the doo API emulator (internal/doofake) on a loopback address and prints
// DOO_BASE_URL, DOO_API_KEY, DOO_CLIENT_ID and DOO_CLIENT_SECRET lines that scripts can source.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "doofake:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free port)")
	pageSize := flag.Int("page-size", doofake.DefaultPageSize, "configurations per list page")
	rps := flag.Float64("rps", 0, "requests per second allowed per API key (0 = no throttle)")
	quota := flag.Int("quota", 0, "requests per UTC day allowed per API key (0 = unlimited)")
	stateFile := flag.String("state-file", "", "JSON file to load the stored configurations from and save them to on exit")
	urlFile := flag.String("url-file", "", "also write the DOO_* lines to this file")
	teams := flag.Int("teams", 0, "serve teams 1..N, one organization each (0 = the default two of doo's seed page)")
	flag.Parse()

	if err := checkLoopback(*addr); err != nil {
		return err
	}
	var orgs []doofake.Organization
	for i := int64(1); i <= int64(*teams); i++ {
		orgs = append(orgs, doofake.Organization{ID: i, Name: fmt.Sprintf("Organization %d", i), CanEdit: true,
			Teams: []doofake.Team{{ID: i, Role: "team_admin"}}})
	}
	fake := doofake.New(doofake.Options{Settings: doofake.Settings{PageSize: *pageSize, RequestsPerSecond: *rps, DailyQuota: *quota}, Organizations: orgs})
	if *stateFile != "" {
		if err := loadState(fake, *stateFile); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	opts := fake.Options()
	lines := fmt.Sprintf("DOO_BASE_URL=http://%s\nDOO_API_KEY=%s\nDOO_CLIENT_ID=%s\nDOO_CLIENT_SECRET=%s\n",
		ln.Addr(), opts.APIKey, opts.ClientID, opts.ClientSecret)
	if *urlFile != "" {
		if err := writeFileAtomic(*urlFile, []byte(lines)); err != nil {
			_ = ln.Close()
			return err
		}
	}
	if _, err := os.Stdout.WriteString(lines); err != nil {
		_ = ln.Close()
		return err
	}
	_ = os.Stdout.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if *stateFile != "" {
		var buf bytes.Buffer
		if saveErr := fake.SaveState(&buf); saveErr != nil {
			return errors.Join(err, saveErr)
		}
		err = errors.Join(err, writeFileAtomic(*stateFile, buf.Bytes()))
	}
	return err
}

// checkLoopback refuses any listen address that is not a loopback one: the emulator accepts fixed, public credentials.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q: refusing to listen on a non-loopback address", addr)
}

// loadState restores configurations from path; a missing file is an empty state.
func loadState(fake *doofake.Server, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return errors.Join(fake.LoadState(f), f.Close())
}

// writeFileAtomic writes data to a temporary file beside path, then renames it, so readers never see half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".doofake-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}
