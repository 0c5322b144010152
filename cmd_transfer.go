package main

import (
	"context"
	"fmt"
	"time"

	"acctui/internal/safetext"

	"github.com/spf13/cobra"
)

func newImportCommand(a *app) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "import --msal FILE",
		Short: "Merge a plain MSAL cache file (such as ~/.azure/msal_token_cache.json) into the vault",
		Long: `Merge a plain MSAL token cache file into the encrypted vault. Accounts
already in the vault are never dropped. The Azure CLI's
~/.azure/msal_token_cache.json and MSAL Python's SerializableTokenCache
files import as they are; the file itself is left untouched.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return usagef("--msal FILE is required")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			data, err := readUserFile(ctx, "--msal", file, maxMSALImportSize)
			if err != nil {
				return err
			}
			v, err := a.openVault(ctx)
			if err != nil {
				return err
			}
			if err := a.refuseWeakNewVault(ctx, v); err != nil {
				return err
			}
			report, err := v.ImportMSALData(ctx, file, data)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Imported %s: %s.\n", safetext.Line(file), report)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "msal", "", "plain MSAL cache file to import")
	return cmd
}

func newExportCommand(a *app) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "export --msal FILE",
		Short: "Write the vault as a PLAINTEXT MSAL cache file (0600), readable by MSAL and the Azure CLI",
		Long: `Write every account and token in the vault to FILE as a plain MSAL cache
(the format of MSAL Python and the Azure CLI), with mode 0600. The file
holds live tokens unencrypted: keep it safe and delete it when done. An
existing file is never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return usagef("--msal FILE is required")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			v, err := a.openVault(ctx)
			if err != nil {
				return err
			}
			if err := refuseExportWithPrincipals(ctx, v); err != nil {
				return err
			}
			if err := v.ExportPlaintext(ctx, file); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Wrote %s (plaintext tokens, mode 0600).\n", safetext.Line(file))
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "msal", "", "file to write (must not exist)")
	return cmd
}
