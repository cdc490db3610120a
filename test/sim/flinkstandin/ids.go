package flinkstandin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// hexID32 matches Flink's JobID, TriggerId and JobVertexID: 32 lowercase hex characters.
var hexID32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

// derivedID returns a stable 32-hex ID for the parts, used for vertex IDs that must not change across restarts.
func derivedID(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
