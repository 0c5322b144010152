package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"acctui/engine/cache"
	"acctui/internal/safetext"
	"acctui/overview"
)

// azPlaintextNote is said before acctui writes into az's directory.
const azPlaintextNote = "The Azure CLI keeps its token cache in plaintext on Linux (msal_token_cache.json, mode 0600): the tokens acctui adds there are readable by anyone who can read that file."

// exportAzureCLI merges the vault into the Azure CLI's directory: its token
// cache gains acctui's accounts and tokens, its profile a tenant-level
// entry for each account it did not know, and the default account (the
// active one, or the only one) becomes az's default. Everything is read
// and checked before anything is written, so a bad file leaves az's
// directory as it was.
func (a *app) exportAzureCLI(ctx context.Context, args []string, yes bool) error {
	dir, cloud, profile, err := a.readAzDirectory(ctx, args, "nothing was changed")
	if err != nil {
		return err
	}
	cacheData, err := readAzFile(ctx, dir, azCacheFile)
	if err != nil {
		return err
	}
	azCache := cache.New()
	if len(strings.TrimSpace(string(cacheData))) > 0 {
		if azCache, err = cache.Parse(cacheData); err != nil {
			return fmt.Errorf("%s is not an MSAL token cache (%w); nothing was changed", filepath.Join(dir, azCacheFile), err)
		}
	}

	v, err := a.openVault(ctx)
	if err != nil {
		return err
	}
	var accounts []overview.Account
	err = v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		accounts = overview.Build(c, a.now())
		azCache.Merge(c)
		return nil
	})
	if err != nil {
		return err
	}
	if len(accounts) == 0 {
		return interactionError{errors.New("no account in the vault to give the Azure CLI; sign in with: acctui login")}
	}
	var added []string
	for _, acct := range accounts {
		for _, tenant := range accountTenants(acct) {
			if profile.knows(acct.Username, tenant, cloud) {
				continue
			}
			if err := profile.addTenantLevel(acct.Username, tenant, cloud); err != nil {
				return err
			}
			added = append(added, acct.Username)
		}
	}
	defaultUser, err := a.defaultAccountName(ctx, accounts)
	if err != nil {
		return err
	}
	if defaultUser != "" {
		if _, err := profile.makeDefault(defaultUser, cloud); err != nil {
			return err
		}
	}
	newCache, err := azCache.MarshalForOtherClients()
	if err != nil {
		return err
	}
	newProfile, err := profile.marshal()
	if err != nil {
		return err
	}

	fmt.Fprintln(a.stderr, azPlaintextNote)
	if !yes && a.stdinTTY {
		ok, err := confirm(a.stdin, a.stderr, "Write acctui's accounts into "+dir+"?")
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(a.stderr, "Nothing written.")
			return nil
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, azCacheFile), newCache, 0o600); err != nil {
		return fmt.Errorf("the Azure CLI's token cache: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, azProfileFile), newProfile, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Wrote %d %s into %s (%d new in az's profile, cloud %s).\n",
		len(accounts), plural(len(accounts), "account", "accounts"), safetext.Line(dir), len(added), safetext.Line(cloud))
	if defaultUser != "" {
		fmt.Fprintf(a.stderr, "az's default account is now %s.\n", safetext.Line(defaultUser))
	}
	return nil
}

// importAzureCLI merges the Azure CLI's token cache and its service
// principals into the vault, after checking that its profile and its
// service principal entries read: a directory acctui cannot make sense of
// imports nothing. az's files are only read.
func (a *app) importAzureCLI(ctx context.Context, args []string) error {
	dir, cloud, profile, err := a.readAzDirectory(ctx, args, "nothing was imported")
	if err != nil {
		return err
	}
	sps, err := a.readAzServicePrincipals(ctx, dir)
	if err != nil {
		return err
	}
	cacheData, err := readAzFile(ctx, dir, azCacheFile)
	if err != nil {
		return err
	}
	if cacheData == nil && !sps.found {
		return fmt.Errorf("no %s in %s (az keeps an encrypted msal_token_cache.bin on Windows, which acctui cannot read)", azCacheFile, dir)
	}
	if cacheData != nil {
		if _, err := cache.Parse(cacheData); err != nil {
			return fmt.Errorf("%s is not an MSAL token cache (%w); nothing was imported", filepath.Join(dir, azCacheFile), err)
		}
	}
	v, err := a.openVault(ctx)
	if err != nil {
		return err
	}
	if err := a.refuseWeakNewVault(ctx, v); err != nil {
		return err
	}
	if cacheData != nil {
		report, err := v.ImportMSALData(ctx, filepath.Join(dir, azCacheFile), cacheData)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Imported %s: %s.\n", safetext.Line(dir), report)
	}
	if err := a.importAzServicePrincipals(ctx, v, sps, cacheData != nil); err != nil {
		return err
	}
	if user := profile.defaultUser(cloud); user != "" {
		a.afterAzureCLIImport(ctx, user)
	} else if app := profile.defaultServicePrincipal(cloud); app != "" {
		a.afterAzureCLIImport(ctx, app)
	}
	return nil
}

// accountTenants are the tenants an account has tokens in, its home
// tenant first.
func accountTenants(acct overview.Account) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range append([]string{acct.TenantID}, acct.Realms...) {
		k := strings.ToLower(t)
		if t == "" || seen[k] || k == "organizations" || k == "common" || k == "consumers" {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// transferSource checks that import/export got exactly one of --msal FILE
// and --azure-cli [DIR].
func transferSource(file string, azureCLI bool, args []string) error {
	switch {
	case file != "" && azureCLI:
		return usagef("--msal and --azure-cli are two different sources: pass one")
	case file == "" && !azureCLI:
		return usagef("--msal FILE or --azure-cli [DIR] is required")
	case len(args) > 0 && !azureCLI:
		return usagef("a directory argument goes with --azure-cli; --msal takes the file")
	}
	return nil
}

// readAzDirectory finds the Azure CLI's directory named by args and reads
// the cloud az is set to and its profile; a profile that does not parse
// is an error ending in nothingDone, said before anything is touched.
func (a *app) readAzDirectory(ctx context.Context, args []string, nothingDone string) (dir, cloud string, profile *azProfile, err error) {
	if dir, err = a.azureCLIDir(args); err != nil {
		return "", "", nil, err
	}
	if cloud, err = azCloudName(ctx, dir); err != nil {
		return "", "", nil, err
	}
	profileData, err := readAzFile(ctx, dir, azProfileFile)
	if err != nil {
		return "", "", nil, err
	}
	if profile, err = parseAzProfile(profileData); err != nil {
		return "", "", nil, fmt.Errorf("%s: %w; %s", filepath.Join(dir, azProfileFile), err, nothingDone)
	}
	return dir, cloud, profile, nil
}
