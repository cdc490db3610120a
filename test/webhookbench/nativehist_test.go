package webhookbench

import (
	"math"
	"sort"
	"testing"

	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// nativeHistogram is a Prometheus native (exponential) histogram as bucket counts: bucket i of schema s holds
// the observations in (2^((i-1)·2^-s), 2^(i·2^-s)]; zero counts the observations at (or near) 0.
type nativeHistogram struct {
	schema  int32
	zero    uint64
	buckets map[int]uint64
}

// fromDTO reads the positive buckets of a scraped native histogram (latencies have no negative ones).
func fromDTO(h *dto.Histogram) nativeHistogram {
	result := nativeHistogram{schema: h.GetSchema(), zero: h.GetZeroCount(), buckets: map[int]uint64{}}
	index, delta, count := 0, 0, int64(0)
	for i, span := range h.GetPositiveSpan() {
		if i == 0 {
			index = int(span.GetOffset())
		} else {
			index += int(span.GetOffset())
		}
		for range span.GetLength() {
			count += h.GetPositiveDelta()[delta]
			delta++
			if count > 0 {
				result.buckets[index] = uint64(count)
			}
			index++
		}
	}
	return result
}

// downscaled merges buckets to a lower schema (each step halves the resolution: buckets 2j-1 and 2j become j).
func (h nativeHistogram) downscaled(schema int32) nativeHistogram {
	if schema >= h.schema {
		return h
	}
	shift := uint(h.schema - schema)
	result := nativeHistogram{schema: schema, zero: h.zero, buckets: map[int]uint64{}}
	for index, count := range h.buckets {
		result.buckets[(index+(1<<shift)-1)>>shift] += count
	}
	return result
}

// plus adds two histograms at the lower of their schemas.
func (h nativeHistogram) plus(other nativeHistogram) nativeHistogram {
	schema := min(h.schema, other.schema)
	a, b := h.downscaled(schema), other.downscaled(schema)
	result := nativeHistogram{schema: schema, zero: a.zero + b.zero, buckets: map[int]uint64{}}
	for index, count := range a.buckets {
		result.buckets[index] += count
	}
	for index, count := range b.buckets {
		result.buckets[index] += count
	}
	return result
}

// minus is what was observed after earlier (h is a later scrape of the same histogram; a histogram only lowers
// its schema over time, so earlier is brought to h's).
func (h nativeHistogram) minus(earlier nativeHistogram) nativeHistogram {
	schema := min(h.schema, earlier.schema)
	a, b := h.downscaled(schema), earlier.downscaled(schema)
	result := nativeHistogram{schema: schema, zero: a.zero - b.zero, buckets: map[int]uint64{}}
	for index, count := range a.buckets {
		if diff := count - b.buckets[index]; diff > 0 {
			result.buckets[index] = diff
		}
	}
	return result
}

func (h nativeHistogram) count() uint64 {
	total := h.zero
	for _, count := range h.buckets {
		total += count
	}
	return total
}

// quantile estimates the q-quantile (0 < q ≤ 1), interpolating log-linearly inside the bucket where it falls,
// as Prometheus' histogram_quantile does for native histograms; the estimate is within the bucket's width.
func (h nativeHistogram) quantile(q float64) float64 {
	total := h.count()
	if total == 0 {
		return math.NaN()
	}
	rank := q * float64(total)
	if rank <= float64(h.zero) {
		return 0
	}
	indices := make([]int, 0, len(h.buckets))
	for index := range h.buckets {
		indices = append(indices, index)
	}
	sort.Ints(indices)
	seen := float64(h.zero)
	base := math.Exp2(math.Exp2(-float64(h.schema)))
	for _, index := range indices {
		count := float64(h.buckets[index])
		if seen+count >= rank {
			upper := math.Pow(base, float64(index))
			lower := upper / base
			return lower * math.Pow(base, (rank-seen)/count)
		}
		seen += count
	}
	return math.Pow(base, float64(indices[len(indices)-1]))
}

// TestNativeHistogramArithmetic checks the decoding, subtraction, merging and quantiles the benchmark reports
// from, on histograms whose answers are known.
func TestNativeHistogramArithmetic(t *testing.T) {
	// Schema 0: bucket i holds (2^(i-1), 2^i]. Buckets 1 (1,2]: 2 observations, 2 (2,4]: 3, 5 (16,32]: 5.
	scraped := &dto.Histogram{Schema: proto.Int32(0), ZeroCount: proto.Uint64(0),
		PositiveSpan:  []*dto.BucketSpan{{Offset: proto.Int32(1), Length: proto.Uint32(2)}, {Offset: proto.Int32(2), Length: proto.Uint32(1)}},
		PositiveDelta: []int64{2, 1, 2}}
	cases := []struct {
		name   string
		got    func() any
		expect any
	}{
		{"decoded buckets", func() any { return fromDTO(scraped).buckets }, map[int]uint64{1: 2, 2: 3, 5: 5}},
		{"downscaled by one", func() any { return fromDTO(scraped).downscaled(-1).buckets }, map[int]uint64{1: 5, 3: 5}},
		{"downscaled negative indices", func() any {
			return nativeHistogram{schema: 1, buckets: map[int]uint64{-3: 1, -2: 1, -1: 1, 0: 1}}.downscaled(0).buckets
		}, map[int]uint64{-1: 2, 0: 2}},
		{"minus at the lower schema", func() any {
			earlier := nativeHistogram{schema: 1, buckets: map[int]uint64{1: 1, 2: 1}} // (1,√2] and (√2,2]
			return fromDTO(scraped).minus(earlier).buckets
		}, map[int]uint64{2: 3, 5: 5}},
		{"plus", func() any { return fromDTO(scraped).plus(fromDTO(scraped)).count() }, uint64(20)},
		{"p30 inside (2,4]", func() any { return fromDTO(scraped).quantile(0.3) }, 2 * math.Pow(2, 1.0/3)},
		{"median at the top of (2,4]", func() any { return fromDTO(scraped).quantile(0.5) }, 4.0},
		{"p100 is the top bucket's bound", func() any { return fromDTO(scraped).quantile(1) }, 32.0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			if want, ok := tc.expect.(float64); ok {
				g.Expect(tc.got()).To(BeNumerically("~", want, 1e-9))
				return
			}
			g.Expect(tc.got()).To(Equal(tc.expect))
		})
	}
}
