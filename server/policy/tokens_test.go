package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A token made from 32 zero bytes and one from 0x00..0x1f.
var (
	zeroToken  = strings.Repeat("A", 43)
	countToken = base64.RawURLEncoding.EncodeToString([]byte{
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	})
)

// tokenSeeds are shared by the table test and the fuzz seed corpus.
var tokenSeeds = []string{
	zeroToken, countToken, "",
	zeroToken[:42], zeroToken + "A", zeroToken + "=",
	zeroToken[:42] + "B", "_" + zeroToken[1:], "-" + zeroToken[1:],
	" " + zeroToken[1:], zeroToken[:42] + "\n", "+" + zeroToken[1:],
	"/" + zeroToken[1:], "." + zeroToken[1:], "é" + zeroToken[2:],
	strings.Repeat("_", 42) + "w",
}

func TestNewToken(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte{0xab}, 64))
	raw, hash, err := NewToken(src)
	require.NoError(t, err)
	assert.Len(t, raw, TokenLen)
	assert.Equal(t, 43, TokenLen)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xab}, 32)), raw)
	sum := sha256.Sum256([]byte(raw))
	assert.Equal(t, hex.EncodeToString(sum[:]), hash)
	assert.Len(t, hash, TokenHashLen)
	assert.Equal(t, 32, src.Len(), "reads exactly 32 bytes")

	parsed, err := ParseToken(raw)
	require.NoError(t, err)
	assert.Equal(t, hash, parsed)
}

func TestNewTokenCryptoRand(t *testing.T) {
	a, ha, err := NewToken(nil)
	require.NoError(t, err)
	b, hb, err := NewToken(nil)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, ha, hb)
	_, err = ParseToken(a)
	assert.NoError(t, err)
}

func TestNewTokenReaderErrors(t *testing.T) {
	boom := errors.New("entropy exhausted")
	_, _, err := NewToken(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "random bytes for an invitation token")

	raw, hash, err := NewToken(bytes.NewReader(make([]byte, 31)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Empty(t, raw)
	assert.Empty(t, hash)

	// A reader that hands out one byte at a time still fills the token.
	raw, _, err = NewToken(iotest.OneByteReader(bytes.NewReader(make([]byte, 32))))
	require.NoError(t, err)
	assert.Equal(t, zeroToken, raw)
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		errIs error
	}{
		{"zero bytes", zeroToken, nil},
		{"counting bytes", countToken, nil},
		{"all 0xff", strings.Repeat("_", 42) + "w", nil},
		{"empty", "", errTokenLength},
		{"one short", zeroToken[:42], errTokenLength},
		{"one long", zeroToken + "A", errTokenLength},
		{"padded", zeroToken + "=", errTokenLength},
		{"padding inside", zeroToken[:42] + "=", errTokenChar},
		{"leading space", " " + zeroToken[1:], errTokenChar},
		{"trailing newline", zeroToken[:42] + "\n", errTokenChar},
		{"standard alphabet plus", "+" + zeroToken[1:], errTokenChar},
		{"standard alphabet slash", "/" + zeroToken[1:], errTokenChar},
		{"dot", "." + zeroToken[1:], errTokenChar},
		{"percent-encoded", "%41" + zeroToken[3:], errTokenChar},
		{"non-ASCII", "é" + zeroToken[2:], errTokenChar},
		{"NUL", "\x00" + zeroToken[1:], errTokenChar},
		{"non-zero padding bits", zeroToken[:42] + "B", errTokenTail},
		{"non-zero padding bits underscore", zeroToken[:42] + "_", errTokenTail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hash, err := ParseToken(tc.in)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
				require.ErrorIs(t, err, ErrInvalidToken)
				assert.Empty(t, hash)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, HashToken(tc.in), hash)
		})
	}
}

func TestParseTokenAcceptsEveryLastCharacterNewTokenMakes(t *testing.T) {
	for last := 0; last < 256; last++ {
		b := make([]byte, 32)
		b[31] = byte(last)
		raw, hash, err := NewToken(bytes.NewReader(b))
		require.NoError(t, err)
		got, err := ParseToken(raw)
		require.NoError(t, err, "last byte %#x → %q", last, raw)
		assert.Equal(t, hash, got)
	}
}

func TestParseTokenRefusalDoesNotAllocate(t *testing.T) {
	bad := zeroToken[:42] + "B"
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ParseToken(bad) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ParseToken("short") }))
}

func BenchmarkParseToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseToken(countToken)
	}
}

func BenchmarkNewToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = NewToken(nil)
	}
}
