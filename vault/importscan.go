package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// streamScanner walks JSON read from r through a window that holds the
// value being read and little more, so a file is never held whole. A value
// it returns stays valid until the next call.
type streamScanner struct {
	ctx   context.Context
	r     io.Reader
	buf   []byte // the window: buf[pos:] is not consumed yet
	pos   int
	base  int64 // file offset of buf[0]
	eof   bool
	limit int64 // bytes the file may have
	name  string
}

// windowChunk is what a fill reads at a time.
const windowChunk = 256 << 10

// errTruncated is JSON that ends in the middle.
var errTruncated error = truncatedError{}

// truncatedError is errScan ending early; a type rather than fmt.Errorf so
// that no package init formats it in every command's start.
type truncatedError struct{}

func (truncatedError) Error() string { return errScan.Error() + ": unexpected end of the file" }
func (truncatedError) Unwrap() error { return errScan }

func newStreamScanner(ctx context.Context, r io.Reader, limit int64, name string) *streamScanner {
	return &streamScanner{ctx: ctx, r: r, limit: limit, name: name, buf: make([]byte, 0, windowChunk)}
}

// fill reads more into the window; false at the end of the file.
func (s *streamScanner) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	if err := s.ctx.Err(); err != nil {
		return false, err
	}
	if s.pos > 0 && s.pos >= len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.pos:])
		s.base += int64(s.pos)
		s.buf, s.pos = s.buf[:n], 0
	}
	if cap(s.buf)-len(s.buf) < windowChunk/2 {
		s.buf = append(s.buf, make([]byte, max(windowChunk, len(s.buf)))...)[:len(s.buf)]
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if s.base+int64(len(s.buf)) > s.limit {
		return false, fmt.Errorf("%s is larger than %d MB, too large for a token cache", s.name, max(s.limit>>20, 1))
	}
	if errors.Is(err, io.EOF) {
		s.eof = true
		return n > 0, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// peek skips whitespace and returns the next byte without consuming it;
// ok is false at the end of the file.
func (s *streamScanner) peek() (c byte, ok bool, err error) {
	for {
		s.pos = skipSpace(s.buf, s.pos)
		if s.pos < len(s.buf) {
			return s.buf[s.pos], true, nil
		}
		more, err := s.fill()
		if err != nil || !more {
			return 0, false, err
		}
	}
}

// expect consumes the next byte, which must be one of want.
func (s *streamScanner) expect(want string) (byte, error) {
	c, ok, err := s.peek()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errTruncated
	}
	for i := 0; i < len(want); i++ {
		if c == want[i] {
			s.pos++
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: %q expected at byte %d", errScan, want, s.base+int64(s.pos))
}

// value consumes the next value and returns it with its file offset.
func (s *streamScanner) value() (off int64, val []byte, err error) {
	if _, ok, err := s.peek(); err != nil {
		return 0, nil, err
	} else if !ok {
		return 0, nil, errTruncated
	}
	for {
		end, serr := skipValue(s.buf, s.pos)
		// A value that reaches the window's end may go on (a number) or
		// be cut (a string): read more unless the file ended.
		if serr == nil && (end < len(s.buf) || s.eof) {
			off, val = s.base+int64(s.pos), s.buf[s.pos:end]
			s.pos = end
			return off, val, nil
		}
		more, err := s.fill()
		if err != nil {
			return 0, nil, err
		}
		if !more {
			if serr == nil {
				serr = errTruncated
			}
			return 0, nil, serr
		}
	}
}

// member reads an object member's name and its ':'.
func (s *streamScanner) member() (string, error) {
	_, q, err := s.value()
	if err != nil {
		return "", err
	}
	if len(q) < 2 || q[0] != '"' {
		return "", fmt.Errorf("%w: member name expected", errScan)
	}
	name, err := decodeKey(q)
	if err != nil {
		return "", err
	}
	if _, err := s.expect(":"); err != nil {
		return "", err
	}
	return name, nil
}

// eachMember walks the object that comes next: fn is called after each
// member's name and ':' and must consume the value.
func (s *streamScanner) eachMember(fn func(name string) error) error {
	if _, err := s.expect("{"); err != nil {
		return err
	}
	if c, ok, err := s.peek(); err != nil {
		return err
	} else if ok && c == '}' {
		s.pos++
		return nil
	}
	for {
		name, err := s.member()
		if err != nil {
			return err
		}
		if err := fn(name); err != nil {
			return err
		}
		if c, err := s.expect(",}"); err != nil || c == '}' {
			return err
		}
	}
}

// end checks that nothing but whitespace follows.
func (s *streamScanner) end() error {
	if _, ok, err := s.peek(); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%w: data after the top-level object", errScan)
	}
	return nil
}

// restIsSpace reads the rest of the file and reports whether it is white
// space in Unicode's sense (bytes.TrimSpace's). It holds the rest whole:
// only a file that is no JSON object comes here.
func (s *streamScanner) restIsSpace() (bool, error) {
	for {
		more, err := s.fill()
		if err != nil {
			return false, err
		}
		if !more {
			return len(bytes.TrimSpace(s.buf[s.pos:])) == 0, nil
		}
	}
}
