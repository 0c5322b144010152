package main

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"acctui/internal/childenv"
)

// openBrowser asks the desktop to open a URL: $BROWSER, or wslview /
// powershell.exe Start-Process on WSL, or the OS's opener. It does not wait
// for the browser.
func openBrowser(url string, getenv func(string) string) error {
	var candidates [][]string
	if b := getenv("BROWSER"); b != "" {
		candidates = append(candidates, []string{b, url})
	}
	switch {
	case runtime.GOOS == "darwin":
		candidates = append(candidates, []string{"open", url})
	case runtime.GOOS == "windows":
		candidates = append(candidates, []string{"rundll32", "url.dll,FileProtocolHandler", url})
	case isWSL():
		candidates = append(candidates,
			[]string{"wslview", url},
			[]string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Start-Process", quotePowerShell(url)})
	default:
		candidates = append(candidates, []string{"xdg-open", url})
	}
	for _, argv := range candidates {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			continue
		}
		// A browser outlives acctui by days: it gets no secret of ours.
		cmd := childenv.Command(path, argv[1:]...)
		if err := cmd.Start(); err != nil {
			continue
		}
		go cmd.Wait()
		return nil
	}
	return errors.New("no browser opener found (xdg-open, wslview or $BROWSER)")
}

// isWSL reports whether this is Linux under Windows Subsystem for Linux.
func isWSL() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	release, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(release)), "microsoft")
}

// quotePowerShell quotes a URL as a PowerShell single-quoted string, where
// & and ; in query strings are otherwise commands.
func quotePowerShell(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
