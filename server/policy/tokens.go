package policy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// tokenBytes is the number of random bytes in an invitation token.
const tokenBytes = 32

// Invitation token shape: 32 random bytes, base64url without padding.
const (
	// TokenLen is the length of a raw invitation token (43 characters).
	TokenLen = (tokenBytes*8 + 5) / 6
	// TokenHashLen is the length of a token hash (hex SHA-256).
	TokenHashLen = sha256.Size * 2
)

// ErrInvalidToken is wrapped by every error ParseToken returns.
var ErrInvalidToken = errors.New("invalid invitation token")

var (
	errTokenLength = fmt.Errorf("%w: wrong length", ErrInvalidToken)
	errTokenChar   = fmt.Errorf("%w: a character outside the base64url alphabet", ErrInvalidToken)
	errTokenTail   = fmt.Errorf("%w: not a canonical encoding", ErrInvalidToken)
)

// base64URLValue maps a byte to its base64url value, or 0xff.
var base64URLValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// NewToken makes an invitation token from 32 bytes of r (crypto/rand when r
// is nil). raw goes into the link and is never stored or logged; hash, the
// hex SHA-256 of raw, is the KV key (`invite/<hash>`).
func NewToken(r io.Reader) (raw, hash string, err error) {
	if r == nil {
		r = rand.Reader
	}
	var b [tokenBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", "", fmt.Errorf("reading %d random bytes for an invitation token: %w", tokenBytes, err)
	}
	raw = base64.RawURLEncoding.EncodeToString(b[:])
	return raw, HashToken(raw), nil
}

// HashToken returns the hex SHA-256 of a token string. It does not validate
// the token: use ParseToken on untrusted input.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// ParseToken validates a raw token from a URL or form and returns its hash.
// Anything NewToken cannot produce is refused before hashing: a length other
// than 43, padding, white space, characters outside the URL-safe base64
// alphabet, and a last character carrying non-zero padding bits (which
// would be a second spelling of the same bytes).
func ParseToken(s string) (hash string, err error) {
	if len(s) != TokenLen {
		return "", errTokenLength
	}
	for i := 0; i < len(s); i++ {
		if base64URLValue[s[i]] == 0xff {
			return "", errTokenChar
		}
	}
	// 43 characters carry 258 bits for 256: the last one's low 2 bits are
	// padding and must be zero.
	if base64URLValue[s[TokenLen-1]]&0x3 != 0 {
		return "", errTokenTail
	}
	// Hash a stack copy: hashing []byte(s) directly would allocate.
	var b [TokenLen]byte
	copy(b[:], s)
	sum := sha256.Sum256(b[:])
	var out [TokenHashLen]byte
	hex.Encode(out[:], sum[:])
	return string(out[:]), nil
}
