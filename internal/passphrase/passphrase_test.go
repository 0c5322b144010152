package passphrase

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrTooShort},
		{"x", ErrTooShort},
		{"1234567", ErrTooShort},
		{"        ", ErrBlank},
		{"12345678", nil},
		{"ünïcödé!", nil}, // eight characters, more bytes
		{"ünïcöd", ErrTooShort},
	}
	for _, c := range cases {
		if got := Check(c.in); !errors.Is(got, c.want) && got != c.want {
			t.Errorf("Check(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestConfirm(t *testing.T) {
	if err := Confirm("long enough", "long enough"); err != nil {
		t.Fatal(err)
	}
	if err := Confirm("long enough", "long enougj"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("typo accepted: %v", err)
	}
	if err := Confirm("short", "short"); !errors.Is(err, ErrTooShort) {
		t.Fatalf("short accepted: %v", err)
	}
}

func TestTooShortNamesMinLength(t *testing.T) {
	const want = "the passphrase must have at least 8 characters"
	if got := Check("short").Error(); got != want {
		t.Fatalf("Check(short) = %q, want %q", got, want)
	}
}
