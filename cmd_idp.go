package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"acctui/engine/idptest"

	"github.com/spf13/cobra"
)

func newIdpCommand() *cobra.Command {
	idp := &cobra.Command{
		Use:   "idp",
		Short: "Run the local identity provider emulator (for tests and demos)",
	}
	idp.AddCommand(newIdpServeCommand())
	return idp
}

// idpAnnouncement is the first line idp serve prints: what a test or a
// person needs to point a client at the emulator.
type idpAnnouncement struct {
	URL       string                  `json:"url"`
	Authority string                  `json:"authority"`
	Tenants   map[string]idpTenantRef `json:"tenants"`
	CAFile    string                  `json:"ca_file,omitempty"`
}

type idpTenantRef struct {
	ID        string `json:"id"`
	Domain    string `json:"domain"`
	Authority string `json:"authority"`
}

func newIdpServeCommand() *cobra.Command {
	var (
		listen         string
		useTLS         bool
		directoryFile  string
		deviceInterval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the emulator until interrupted; the first stdout line is JSON describing it",
		Long: `Serve the identity provider emulator on a loopback address until interrupted.

The first line on stdout is one JSON object with the base URL, the default
tenant's authority, every tenant, and (with --tls) the path of the CA
certificate to trust. The default directory has the demo users documented in
README.md. Control endpoints for tests live under /_admin/.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := idptest.Options{TLS: useTLS, Listen: listen, DeviceCodeInterval: deviceInterval}
			if directoryFile != "" {
				dir, err := idptest.LoadDirectory(directoryFile)
				if err != nil {
					return err
				}
				opts.Directory = dir
			}
			srv, err := idptest.New(opts)
			if err != nil {
				return usageOrFailure(err)
			}
			defer srv.Close()
			announce := idpAnnouncement{URL: srv.URL(), Authority: srv.DefaultAuthority(), Tenants: map[string]idpTenantRef{}}
			for _, t := range srv.Directory().Tenants {
				announce.Tenants[t.Name] = idpTenantRef{ID: t.ID, Domain: t.Domain, Authority: srv.Authority(t.Name)}
			}
			if useTLS {
				dir, err := os.MkdirTemp("", "acctui-idp-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				announce.CAFile = filepath.Join(dir, "ca.pem")
				if err := os.WriteFile(announce.CAFile, srv.CACertPEM(), 0o644); err != nil {
					return err
				}
			}
			line, err := json.Marshal(announce)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(line))
			fmt.Fprintf(cmd.ErrOrStderr(), "acctui idp: serving %s (test emulator; passwords are fixtures). Press Ctrl-C to stop.\n", srv.URL())

			stop := make(chan os.Signal, 1)
			signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
			<-stop
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "loopback address to listen on")
	cmd.Flags().BoolVar(&useTLS, "tls", false, "serve https with a CA made at start (its PEM path is in the first line)")
	cmd.Flags().StringVar(&directoryFile, "directory", "", "JSON file of tenants, users and apps (default: the demo directory)")
	cmd.Flags().DurationVar(&deviceInterval, "device-code-interval", 5*time.Second, "polling interval the device code endpoint announces (whole seconds)")
	return cmd
}

// usageOrFailure turns a refused listen address into a usage error.
func usageOrFailure(err error) error {
	if idptest.IsListenRefused(err) {
		return usageError{err}
	}
	return err
}
