package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"acctui/internal/safetext"

	"golang.org/x/term"
)

// errNoTerminal explains that something needs a person at a terminal.
func errNoTerminal(what string) error {
	return fmt.Errorf("acctui needs %s but standard input is not a terminal", what)
}

// readSecretLine reads a line from the terminal without echo. When ctx
// ends first (Ctrl-C) it turns echo back on itself: the reader is still
// blocked, and the process exits before it could.
func readSecretLine(ctx context.Context, stderr io.Writer, prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	state, stateErr := term.GetState(fd)
	fmt.Fprint(stderr, safetext.Line(prompt))
	type answer struct {
		line []byte
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		line, err := term.ReadPassword(fd)
		done <- answer{line, err}
	}()
	select {
	case a := <-done:
		fmt.Fprintln(stderr)
		if a.err != nil {
			return "", fmt.Errorf("read from terminal: %w", a.err)
		}
		return string(a.line), nil
	case <-ctx.Done():
		if stateErr == nil {
			term.Restore(fd, state)
		}
		fmt.Fprintln(stderr)
		return "", ctx.Err()
	}
}

// confirm asks a yes/no question on the terminal.
func confirm(stdin io.Reader, stderr io.Writer, question string) (bool, error) {
	fmt.Fprintf(stderr, "%s [y/N] ", safetext.Line(question))
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// readStdinSecret reads a secret piped on stdin: the first line, without
// its line ending.
func readStdinSecret(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
