// Package termqr draws QR codes with terminal characters, black on white
// with a quiet zone so a phone can scan them whatever the terminal's theme.
package termqr

import (
	"strings"

	"github.com/mdp/qrterminal/v3"
)

// Each cell is an upper half block whose foreground paints the top module
// and background the bottom one, so two rows of the code fit in one line.
const (
	whiteWhite = "\x1b[97;107m▀\x1b[0m"
	blackBlack = "\x1b[30;40m▀\x1b[0m"
	blackWhite = "\x1b[30;107m▀\x1b[0m" // top black, bottom white
	whiteBlack = "\x1b[97;40m▀\x1b[0m"  // top white, bottom black
)

// quietZone is the white border, in modules; scanners want at least 2.
const quietZone = 2

// Render returns the QR code of text. With color false (NO_COLOR) it uses
// plain block characters, which depend on the terminal's colours.
func Render(text string, color bool) string {
	var b strings.Builder
	cfg := qrterminal.Config{
		Level:      qrterminal.L,
		Writer:     &b,
		HalfBlocks: true,
		QuietZone:  quietZone,
	}
	if color {
		cfg.WhiteChar, cfg.BlackChar, cfg.BlackWhiteChar, cfg.WhiteBlackChar = whiteWhite, blackBlack, blackWhite, whiteBlack
	} else {
		// plain blocks draw "white" with the foreground colour
		cfg.WhiteChar, cfg.BlackChar, cfg.BlackWhiteChar, cfg.WhiteBlackChar = "█", " ", "▄", "▀"
	}
	qrterminal.GenerateWithConfig(text, cfg)
	return b.String()
}
