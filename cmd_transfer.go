package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"acctui/internal/safetext"
	"acctui/vault"

	"github.com/spf13/cobra"
)

func newImportCommand(a *app) *cobra.Command {
	var (
		file     string
		azureCLI bool
	)
	cmd := &cobra.Command{
		Use:   "import --msal FILE | --azure-cli [DIR]",
		Short: "Merge a plain MSAL cache file (such as ~/.azure/msal_token_cache.json) into the vault",
		Long: `Merge a plain MSAL token cache file into the encrypted vault. Accounts
already in the vault are never dropped. The Azure CLI's
~/.azure/msal_token_cache.json and MSAL Python's SerializableTokenCache
files import as they are; the file itself is left untouched.

With --azure-cli, the Azure CLI's directory (DIR, else $AZURE_CONFIG_DIR,
else ~/.azure) is read: its token cache, its profile and its service
principals (service_principal_entries.json): each app's secret, or the
certificate file az names, is stored encrypted as login
--service-principal stores it; an entry acctui cannot import is named,
one line each. az's files are left as they are.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := transferSource(file, azureCLI, args); err != nil {
				return err
			}
			if azureCLI {
				ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
				defer cancel()
				return a.importAzureCLI(ctx, args)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			source := file
			var data []byte
			var err error
			// A regular file is streamed by the vault (read twice, never
			// whole); standard input, a FIFO or a device is read here,
			// bounded and cancellable, as it can be read only once.
			streamed := false
			if file == stdioFile {
				source = "standard input"
				data, err = readStdinLimited(a.stdin, maxMSALImportSize)
			} else if st, serr := os.Stat(file); serr == nil && st.Mode().IsRegular() {
				streamed = true
			} else {
				data, err = readUserFile(ctx, "--msal", file, maxMSALImportSize)
			}
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
			var report vault.ImportReport
			if streamed {
				// the file is streamed: the import holds a batch, not it
				restore := batchGC()
				report, err = v.ImportMSAL(ctx, file)
				restore()
			} else {
				report, err = v.ImportMSALData(ctx, source, data)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Imported %s: %s.\n", safetext.Line(source), report)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "msal", "", "plain MSAL cache file to import (- for standard input)")
	cmd.Flags().BoolVar(&azureCLI, "azure-cli", false, "import the Azure CLI's directory (DIR, $AZURE_CONFIG_DIR or ~/.azure)")
	return cmd
}

func newExportCommand(a *app) *cobra.Command {
	var (
		file     string
		azureCLI bool
		yes      bool
	)
	cmd := &cobra.Command{
		Use:   "export --msal FILE | --azure-cli [DIR]",
		Short: "Write the vault as a PLAINTEXT MSAL cache file (0600), readable by MSAL and the Azure CLI",
		Long: `Write every account and token in the vault to FILE as a plain MSAL cache
(the format of MSAL Python and the Azure CLI), with mode 0600. The file
holds live tokens unencrypted: keep it safe and delete it when done. An
existing file is never overwritten.

With --azure-cli, acctui's accounts are merged into the Azure CLI's
directory (DIR, else $AZURE_CONFIG_DIR, else ~/.azure): its token cache
gains them, its profile a tenant-level entry (as az login
--allow-no-subscriptions writes) for each account it does not know, and the
default account becomes az's default. az's subscriptions are never removed.
az keeps that cache in plaintext on Linux; on a terminal acctui asks first.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := transferSource(file, azureCLI, args); err != nil {
				return err
			}
			if azureCLI {
				ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
				defer cancel()
				return a.exportAzureCLI(ctx, args, yes)
			}
			if file == stdioFile && isTerminal(a.stdout) {
				return usagef("export --msal - writes live tokens: redirect standard output to a file or a pipe, not a terminal")
			}
			return a.withVault(cmd, 60*time.Second, func(ctx context.Context, v *vault.Vault) error {
				if file == stdioFile {
					return exportMSALStdout(ctx, v, a.stdout)
				}
				if err := v.ExportPlaintext(ctx, file); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "Wrote %s (plaintext tokens, mode 0600).\n", safetext.Line(file))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "msal", "", "file to write (must not exist; - for standard output, not a terminal)")
	cmd.Flags().BoolVar(&azureCLI, "azure-cli", false, "merge into the Azure CLI's directory (DIR, $AZURE_CONFIG_DIR or ~/.azure)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "with --azure-cli: do not ask before writing az's plaintext cache")
	return cmd
}
