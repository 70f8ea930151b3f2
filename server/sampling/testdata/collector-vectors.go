// Derives the probabilistic-policy test vectors in ../probabilistic.test.ts from the tail
// sampling processor's own algorithm (opentelemetry-collector-contrib,
// processor/tailsamplingprocessor/internal/sampling/probabilistic.go: calculateThreshold and
// hashTraceID, reproduced below as they are there). Run with any Go toolchain:
//
//	go run server/sampling/testdata/collector-vectors.go
//
// Not part of Loupe's build; kept so the expected values can be re-derived.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/big"
	"strconv"
)

const defaultHashSalt = "default-hash-seed"

func calculateThreshold(ratio float64) uint64 {
	boundary := new(big.Float).SetInt(new(big.Int).SetUint64(math.MaxUint64))
	res, _ := boundary.Mul(boundary, big.NewFloat(ratio)).Uint64()
	return res
}

func hashTraceID(salt string, b []byte) uint64 {
	hasher := fnv.New64a()
	_, _ = hasher.Write([]byte(salt))
	_, _ = hasher.Write(b)
	return hasher.Sum64()
}

// The 100k trace IDs both sides can make: the first 16 bytes of sha256("loupe-sampling-<i>").
func corpusID(i int) []byte {
	sum := sha256.Sum256([]byte("loupe-sampling-" + strconv.Itoa(i)))
	return sum[:16]
}

func main() {
	fmt.Println("thresholds (percentage -> threshold):")
	for _, p := range []float64{0, 0.001, 0.1, 1, 10, 12.5, 25, 33, 33.3, 50, 99.9, 100, 150, -50} {
		fmt.Printf("  [%v, 0x%016xn],\n", p, calculateThreshold(p/100))
	}
	ids := []string{
		"00000000000000000000000000000000",
		"ffffffffffffffffffffffffffffffff",
		"0102030405060708090a0b0c0d0e0f10",
		"4bf92f3577b34da6a3ce929d0e0e4736",
		hex.EncodeToString(corpusID(0)),
		hex.EncodeToString(corpusID(1)),
	}
	fmt.Println("hashes (salt, trace ID -> fnv-1a 64):")
	for _, salt := range []string{defaultHashSalt, "test-salt", "sälz"} {
		for _, id := range ids {
			b, _ := hex.DecodeString(id)
			fmt.Printf("  ['%s', '%s', 0x%016xn],\n", salt, id, hashTraceID(salt, b))
		}
	}
	fmt.Println("corpus counts (salt, percentage -> sampled of 100000):")
	for _, c := range []struct {
		salt string
		pct  float64
	}{{defaultHashSalt, 10}, {defaultHashSalt, 33}, {"test-salt", 33}, {defaultHashSalt, 0.1}, {defaultHashSalt, 50}} {
		threshold := calculateThreshold(c.pct / 100)
		n := 0
		for i := 0; i < 100000; i++ {
			if hashTraceID(c.salt, corpusID(i)) <= threshold {
				n++
			}
		}
		fmt.Printf("  ['%s', %v, %d],\n", c.salt, c.pct, n)
	}
}
