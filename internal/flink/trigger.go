package flink

import (
	"crypto/sha256"
	"encoding/hex"
)

// TriggerID derives a Flink TriggerId (32 lowercase hex characters) from what identifies an operation in the
// operator: the resource UID, its generation and the purpose ("upgrade-savepoint", "periodic-checkpoint", …).
// The same inputs always give the same ID, so an operator that restarts while a savepoint is in flight re-sends
// the same trigger (Flink acknowledges it without starting a second savepoint) and polls the same result.
func TriggerID(uid, generation, purpose string) string {
	h := sha256.New()
	for _, part := range []string{uid, generation, purpose} {
		h.Write([]byte(part))
		h.Write([]byte{0}) // separator: ("ab","c") and ("a","bc") must differ
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}
